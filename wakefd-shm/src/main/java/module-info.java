/**
 * wakefd-shm: a bounded single-producer single-consumer channel of byte messages in shared memory
 * between processes and languages, woken by eventfd only on the empty and full transitions. See
 * {@link dev.wakefd.shm.Shm}.
 */
module dev.wakefd.shm {
    requires transitive dev.wakefd;
    requires transitive dev.wakefd.ipc;

    exports dev.wakefd.shm;
}
