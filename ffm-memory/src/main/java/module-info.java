/**
 * Qpair ffm-memory: Arenas, aligned and shared-file buffers, device memory, protection domains, memory regions, registration forms and MR pools.
 */
module dev.qpair.memory {
    requires transitive dev.qpair.barriers;
}
