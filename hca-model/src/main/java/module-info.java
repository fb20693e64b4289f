/**
 * Qpair hca-model: verbs objects (device, PD, MR, CQ, RC QP), allocation-free posting and
 * polling, the HCA device engine and the provider interface. Only {@code dev.qpair.hca} is
 * exported; the engine, its locks and tables are package-private there.
 */
module dev.qpair.hca {
    requires transitive dev.qpair.rings;

    exports dev.qpair.hca;
}
