/** Passing wakefd signals between processes over Unix domain sockets. */
module dev.wakefd.ipc {
    requires transitive dev.wakefd;
    exports dev.wakefd.ipc;
}
