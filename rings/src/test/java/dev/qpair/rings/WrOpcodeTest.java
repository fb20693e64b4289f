package dev.qpair.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class WrOpcodeTest {

    @Test
    void segmentsPerOpcode() {
        int[] opcodes = {WrOpcode.RDMA_WRITE, WrOpcode.RDMA_WRITE_WITH_IMM, WrOpcode.SEND, WrOpcode.SEND_WITH_IMM,
                WrOpcode.RDMA_READ, WrOpcode.ATOMIC_CMP_AND_SWP, WrOpcode.ATOMIC_FETCH_AND_ADD, WrOpcode.LOCAL_INV,
                WrOpcode.SEND_WITH_INV, WrOpcode.NOP};
        String[] expected = {"RI", "RI", "I", "I", "R", "RA", "RA", "", "I", ""};
        for (int k = 0; k < opcodes.length; k++) {
            int op = opcodes[k];
            String actual = (WrOpcode.hasRemoteAddress(op) ? "R" : "") + (WrOpcode.hasAtomic(op) ? "A" : "")
                    + (WrOpcode.allowsInline(op) ? "I" : "");
            assertEquals(expected[k], actual, "opcode " + op);
            assertEquals(true, WrOpcode.isKnown(op), "opcode " + op);
        }
    }

    @Test
    void garbageOpcodesCarryNothingAndAreUnknown() {
        for (int op : new int[] {8, 10, 0x7f, 0xfe, -1, 256}) {
            assertFalse(WrOpcode.isKnown(op), "opcode " + op);
            assertFalse(WrOpcode.hasRemoteAddress(op) || WrOpcode.hasAtomic(op) || WrOpcode.allowsInline(op), "opcode " + op);
            assertEquals(32, SendWqe.payloadOffset(op));
        }
    }
}
