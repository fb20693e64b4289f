package dev.qpair.memory;

import dev.qpair.barriers.testing.FieldPadding;
import org.junit.jupiter.api.Test;

/** A Translation, stored to on every lookup, keeps its fields two 64-byte lines from any other object. */
class TranslationPaddingTest {

    @Test
    void translationIsPadded() {
        FieldPadding.assertPadded(Translation.class, 128);
    }
}
