package dev.qpair.stress.memory;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.KeyTable;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.memory.Translation;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIIIII_Result;

/**
 * Re-registration against the device's lookup. The host re-registers a direct region
 * ({@code ibv_rereg_mr}) from 4096 bytes of buffer A at iova {@value #OLD_IOVA} with
 * LOCAL_WRITE|REMOTE_WRITE|REMOTE_READ to 256 bytes at offset 128 of buffer B at iova
 * {@value #NEW_IOVA} with REMOTE_READ only; the key table publishes the new mapping in the region's
 * slot with a release store. The device looks up the old key (a 512-byte REMOTE_WRITE at old
 * iova + 1024), then the new key (a 128-byte REMOTE_READ at new iova + 64); each lookup loads the
 * slot with acquire. The new key is the old one with the next 8-bit variant, the key format
 * {@link KeyTable} documents, so the device needs no channel to learn it. Result: for the old key,
 * then for the new key: the {@link dev.qpair.memory.AccessStatus} (0 = OK, 2 = STALE_KEY), the buffer of
 * the first piece (1 = A, 2 = B, 0 = none), its offset in that buffer and the bytes granted.
 *
 * <p>A mix of the two registrations shows as another result: the old key granted over buffer B,
 * the old key refused for the new bounds or access, the new key granted over A or with the old
 * bounds. Each state has its own table, PD and region; its A and B come from a static pool of
 * {@value #BUFFER_PAIRS} pairs (allocated once, never written), since a buffer per state would be a
 * shared arena per state, never freed. The pool and the arbiter's deregistration keep each buffer's
 * pin list short: with one pair, scanning that list cut the samples by more than half in a quick run.
 */
@JCStressTest
@Description("rereg_mr vs lookup: each key is granted by its whole registration or refused as stale, never a mix")
@Outcome(id = "0, 1, 1024, 512, 2, 0, 0, 0", expect = ACCEPTABLE,
        desc = "Both lookups before the re-registration: the old key granted on A, the new key stale.")
@Outcome(id = "0, 1, 1024, 512, 0, 2, 192, 128", expect = ACCEPTABLE,
        desc = "Re-registration between the lookups: the old key granted on A, the new key on B.")
@Outcome(id = "2, 0, 0, 0, 0, 2, 192, 128", expect = ACCEPTABLE,
        desc = "Both lookups after the re-registration: the old key stale, the new key granted on B.")
@Outcome(id = "2, 0, 0, 0, 2, 0, 0, 0", expect = FORBIDDEN,
        desc = "The old key stale, then the new key stale: the second load of the slot saw an older mapping.")
@Outcome(expect = FORBIDDEN, desc = "A mixed or partial registration: a grant on the wrong buffer, offset or length, "
        + "or a refusal neither registration explains.")
@State
public class ReregMrPublishesWholeMapping {

    static final long OLD_IOVA = 0x10_0000L;
    static final long NEW_IOVA = 0x20_0000L;
    private static final int OLD_ACCESS = AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE | AccessFlags.REMOTE_READ;
    static final int BUFFER_PAIRS = 64;
    private static final AlignedBuffer[] AS = buffers(BUFFER_PAIRS);
    private static final AlignedBuffer[] BS = buffers(BUFFER_PAIRS);
    private static final AtomicInteger NEXT_PAIR = new AtomicInteger();

    private final int pair = NEXT_PAIR.getAndIncrement() & BUFFER_PAIRS - 1;
    private final AlignedBuffer a = AS[pair];
    private final AlignedBuffer b = BS[pair];
    private final ProtectionDomain pd = KeyTable.create(1).allocPd();
    private final MemoryRegion mr = pd.regMr(a, 0, 4096, OLD_IOVA, OLD_ACCESS);
    private final int oldKey = mr.rkey();
    private final int newKey = oldKey & ~0xff | (oldKey + 1) & 0xff;
    private final Translation t = new Translation();

    @Actor
    public void host() {
        mr.rereg(b, 128, 256, NEW_IOVA, AccessFlags.REMOTE_READ);
    }

    @Actor
    public void device(IIIIIIII_Result r) {
        r.r1 = pd.table().lookup(oldKey, OLD_IOVA + 1024, 512, AccessFlags.REMOTE_WRITE, pd, t);
        r.r2 = firstPieceBuffer();
        r.r3 = (int) t.offset();
        r.r4 = (int) t.byteCount();
        r.r5 = pd.table().lookup(newKey, NEW_IOVA + 64, 128, AccessFlags.REMOTE_READ, pd, t);
        r.r6 = firstPieceBuffer();
        r.r7 = (int) t.offset();
        r.r8 = (int) t.byteCount();
    }

    private int firstPieceBuffer() {
        if (!t.next()) {
            return 0;
        }
        return t.segment() == a.segment() ? 1 : t.segment() == b.segment() ? 2 : -1;
    }

    private static AlignedBuffer[] buffers(int n) {
        AlignedBuffer[] buffers = new AlignedBuffer[n];
        for (int i = 0; i < n; i++) {
            buffers[i] = AlignedBuffer.allocate(4096, Alignment.PAGE);
        }
        return buffers;
    }

    @Arbiter
    public void deregister() {
        mr.deregister();
    }
}
