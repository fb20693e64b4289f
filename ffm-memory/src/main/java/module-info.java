/**
 * Qpair ffm-memory: every byte a device may touch, and the check that it may. Aligned buffers,
 * shared-memory files, device (BAR) memory, protection domains, memory regions with lkey/rkey and
 * access flags, the registration forms (direct, page list, indirect), MR pools, and the one
 * allocation-free lookup a device uses for every access.
 */
module dev.qpair.memory {
    requires transitive dev.qpair.barriers;

    exports dev.qpair.memory;
}
