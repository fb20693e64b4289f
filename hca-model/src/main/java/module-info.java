/**
 * Qpair hca-model: Verbs objects, the HCA device engine, the wire between queue pairs and the provider interface.
 */
module dev.qpair.hca {
    requires transitive dev.qpair.rings;
}
