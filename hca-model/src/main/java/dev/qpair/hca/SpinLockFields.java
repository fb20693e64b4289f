package dev.qpair.hca;

/** A {@link SpinLock}'s state, between its pads. */
abstract class SpinLockFields extends SpinLockPad {

    @SuppressWarnings("unused")
    volatile Thread owner;
    int holds;
}
