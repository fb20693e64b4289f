package dev.qpair.rings;

import dev.qpair.barriers.testing.FieldPadding;
import org.junit.jupiter.api.Test;

/** The flyweights repositioned on every WQE keep their fields two 64-byte lines from any other object. */
class FlyweightPaddingTest {

    @Test
    void sendAndReceiveFlyweightsArePadded() {
        FieldPadding.assertPadded(SendWqe.class, 128);
        FieldPadding.assertPadded(RecvWqe.class, 128);
    }
}
