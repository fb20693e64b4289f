/**
 * Qpair nvme-model: An NVMe controller model and a polling host driver over off-heap queues.
 * {@code dev.qpair.nvme} is the host driver (controller handle, qpairs, DMA map, status codes);
 * {@code dev.qpair.nvme.controller} is the controller model and its namespaces.
 */
module dev.qpair.nvme {
    requires transitive dev.qpair.rings;

    exports dev.qpair.nvme;
    exports dev.qpair.nvme.controller;
}
