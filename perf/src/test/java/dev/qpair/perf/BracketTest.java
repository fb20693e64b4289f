package dev.qpair.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BracketTest {

    @Test
    void theLimitIsTheMeanOfTheTwoBracketsAndTheRatioUsesIt() {
        Bracket b = new Bracket(200, 300);
        assertEquals(250.0, b.limitP50Ns());
        assertEquals(1.5, b.ratio(375));
        assertEquals(0.5, b.spread(), 1e-12);
    }

    @Test
    void stableUpToTwentyPercentOfTheSmallerBracketInEitherOrder() {
        assertTrue(new Bracket(100, 120).stable(Bracket.TOLERANCE));
        assertTrue(new Bracket(120, 100).stable(Bracket.TOLERANCE));
        assertFalse(new Bracket(100, 121).stable(Bracket.TOLERANCE));
        assertFalse(new Bracket(650, 210).stable(Bracket.TOLERANCE));
    }

    @Test
    void aNonPositiveLimitIsRejectedWithBothValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Bracket(0, 100));
        assertTrue(e.getMessage().contains("before 0 ns, after 100 ns"), e.getMessage());
    }
}
