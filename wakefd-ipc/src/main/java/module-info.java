/**
 * wakefd-ipc: passes wakefd signals to other processes (in any language) over Unix domain sockets,
 * as SCM_RIGHTS file descriptors, with the peer's credentials checked. See
 * {@link dev.wakefd.ipc.FdListener} and {@link dev.wakefd.ipc.FdSocket}.
 */
module dev.wakefd.ipc {
    requires transitive dev.wakefd;

    exports dev.wakefd.ipc;
    // Socket and SCM_RIGHTS calls for wakefd-shm's set-up only.
    exports dev.wakefd.ipc.internal to
            dev.wakefd.shm;
}
