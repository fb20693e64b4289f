/**
 * Qpair stress: jcstress tests of every ordering protocol Qpair uses on device-shared memory, and
 * the runner that fails the build when a test observes a forbidden outcome or does not run.
 */
module dev.qpair.stress {
    requires dev.qpair.barriers;
    requires dev.qpair.memory;
    requires dev.qpair.rings;
    requires jcstress.core;
}
