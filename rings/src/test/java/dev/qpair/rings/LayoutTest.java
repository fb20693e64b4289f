package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout;
import org.junit.jupiter.api.Test;

/** The documented sizes and offsets: a change to any layout fails here first. */
class LayoutTest {

    private static void offset(MemoryLayout layout, String field, long expected) {
        assertEquals(expected, layout.byteOffset(groupElement(field)), layout.name().orElse("?") + "." + field);
    }

    @Test
    void sendWqeControlSegment() {
        assertEquals(32, SendWqe.CTRL_SEGMENT.byteSize());
        offset(SendWqe.CTRL_SEGMENT, "opcode", 0);
        offset(SendWqe.CTRL_SEGMENT, "flags", 1);
        offset(SendWqe.CTRL_SEGMENT, "wqe_index", 2);
        offset(SendWqe.CTRL_SEGMENT, "qpn", 4);
        offset(SendWqe.CTRL_SEGMENT, "ds", 8);
        offset(SendWqe.CTRL_SEGMENT, "imm_data", 12);
        offset(SendWqe.CTRL_SEGMENT, "wr_id", 16);
        offset(SendWqe.CTRL_SEGMENT, "invalidate_rkey", 24);
    }

    @Test
    void sendWqeOtherSegments() {
        assertEquals(16, SendWqe.REMOTE_ADDRESS_SEGMENT.byteSize());
        offset(SendWqe.REMOTE_ADDRESS_SEGMENT, "remote_addr", 0);
        offset(SendWqe.REMOTE_ADDRESS_SEGMENT, "rkey", 8);
        assertEquals(16, SendWqe.ATOMIC_SEGMENT.byteSize());
        offset(SendWqe.ATOMIC_SEGMENT, "swap_add", 0);
        offset(SendWqe.ATOMIC_SEGMENT, "compare", 8);
        assertEquals(16, SendWqe.DATA_SEGMENT.byteSize());
        offset(SendWqe.DATA_SEGMENT, "byte_count", 0);
        offset(SendWqe.DATA_SEGMENT, "lkey", 4);
        offset(SendWqe.DATA_SEGMENT, "addr", 8);
        assertEquals(4, SendWqe.INLINE_HEADER.byteSize());
        assertEquals(64, SendWqe.BASIC_BLOCK_SIZE);
        assertEquals(512, SendWqe.MAX_WQE_SIZE);
    }

    @Test
    void payloadOffsetsPerOpcode() {
        assertEquals(32, SendWqe.payloadOffset(WrOpcode.SEND));
        assertEquals(48, SendWqe.payloadOffset(WrOpcode.RDMA_WRITE));
        assertEquals(48, SendWqe.payloadOffset(WrOpcode.RDMA_READ));
        assertEquals(64, SendWqe.payloadOffset(WrOpcode.ATOMIC_FETCH_AND_ADD));
        assertEquals(64, SendWqe.payloadOffset(WrOpcode.ATOMIC_CMP_AND_SWP));
    }

    @Test
    void receiveWqe() {
        assertEquals(16, RecvWqe.HEADER.byteSize());
        offset(RecvWqe.HEADER, "wr_id", 0);
        offset(RecvWqe.HEADER, "num_sge", 8);
    }

    @Test
    void cqe() {
        assertEquals(64, Cqe.LAYOUT.byteSize());
        offset(Cqe.LAYOUT, "wr_id", 0);
        offset(Cqe.LAYOUT, "byte_len", 8);
        offset(Cqe.LAYOUT, "imm_data", 12);
        offset(Cqe.LAYOUT, "qpn", 16);
        offset(Cqe.LAYOUT, "src_qp", 20);
        offset(Cqe.LAYOUT, "wqe_counter", 24);
        offset(Cqe.LAYOUT, "opcode", 26);
        offset(Cqe.LAYOUT, "status", 27);
        offset(Cqe.LAYOUT, "wc_flags", 28);
        offset(Cqe.LAYOUT, "vendor_err", 29);
        offset(Cqe.LAYOUT, "inline_len", 30);
        offset(Cqe.LAYOUT, "owner", 31);
        offset(Cqe.LAYOUT, "inline_data", 32);
        assertEquals(31, Cqe.OWNER_OFFSET);
        assertEquals(32, Cqe.INLINE_DATA_OFFSET);
        assertEquals(32, Cqe.MAX_INLINE_DATA);
    }

    @Test
    void largeCqeHasTheSameFieldsAndMoreInlineData() {
        assertEquals(128, Cqe.LARGE_LAYOUT.byteSize());
        for (String field : new String[] {"wr_id", "byte_len", "imm_data", "qpn", "src_qp", "wqe_counter", "opcode",
                "status", "wc_flags", "vendor_err", "inline_len", "owner", "inline_data"}) {
            assertEquals(Cqe.LAYOUT.byteOffset(groupElement(field)), Cqe.LARGE_LAYOUT.byteOffset(groupElement(field)), field);
        }
        assertEquals(96, Cqe.LARGE_MAX_INLINE_DATA);
        assertEquals(32, Cqe.maxInlineData(Cqe.SIZE));
        assertEquals(96, Cqe.maxInlineData(Cqe.LARGE_SIZE));
    }

    @Test
    void doorbellRecordPutsEachIndexOnItsOwn128ByteLine() {
        assertEquals(256, DoorbellRecord.LAYOUT.byteSize());
        assertEquals(0, DoorbellRecord.RECV_PRODUCER_OFFSET);
        assertEquals(128, DoorbellRecord.SEND_PRODUCER_OFFSET);
    }

    @Test
    void doorbellPage() {
        assertEquals(512, DoorbellPage.REGISTER_BLOCK.byteSize());
        assertEquals(4096, DoorbellPage.LAYOUT.byteSize());
        assertEquals(8, DoorbellPage.REGISTERS_PER_PAGE);
        assertEquals(0, DoorbellPage.DOORBELL_OFFSET);
        assertEquals(128, DoorbellPage.BLUEFLAME_OFFSET);
        assertEquals(256, DoorbellPage.BLUEFLAME_SIZE);
        assertEquals(3 * 512, DoorbellPage.doorbellOffset(3));
        assertEquals(7 * 512 + 128, DoorbellPage.blueFlameOffset(7));
    }

    @Test
    void cqControlBlockPutsEachSideOnItsOwn128ByteLine() {
        assertEquals(256, CqRing.CONTROL_LAYOUT.byteSize());
        assertEquals(0, CqRing.PRODUCER_INDEX);
        assertEquals(4, CqRing.CACHED_CONSUMER_INDEX);
        assertEquals(128, CqRing.CONSUMER_INDEX);
        assertEquals(132, CqRing.POLLED_INDEX);
    }
}
