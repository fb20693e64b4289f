/**
 * Qpair nvme-model: An NVMe controller model and a polling host driver over off-heap queues.
 */
module dev.qpair.nvme {
    requires transitive dev.qpair.rings;
}
