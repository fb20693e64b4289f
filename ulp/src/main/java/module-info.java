/**
 * Qpair ulp: R/W contexts, MR pools sized from hints, the multipath block transport and the remote block device.
 */
module dev.qpair.ulp {
    requires transitive dev.qpair.hca;
    requires transitive dev.qpair.nvme;
}
