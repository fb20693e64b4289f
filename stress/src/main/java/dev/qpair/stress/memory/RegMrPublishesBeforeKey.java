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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Registration against the device's lookup through a key the host hands over. The host registers
 * 256 bytes at offset 128 of a buffer at iova {@value #IOVA} with REMOTE_READ ({@code ibv_reg_mr}
 * into an allocated PD; the key table publishes the mapping in a fresh slot with a release store),
 * then posts the key with a release store, as a work request carrying an rkey is published by its
 * doorbell. The device loads the key with acquire and, when it is there, looks it up (a 128-byte
 * REMOTE_READ at iova + 64; the lookup loads the slot with acquire). Result: whether the key was
 * seen (0 or 1), then the {@link dev.qpair.memory.AccessStatus} (0 = OK, 1 = BAD_KEY), whether the
 * first piece is in the buffer (1) or not (0), its offset in the buffer and the bytes granted
 * (-1 each when the key was not seen).
 *
 * <p>Each state has its own table and PD; its buffer comes from a static pool of {@value #BUFFERS}
 * (allocated once, never written), since a buffer per state would be a shared arena per state,
 * never freed. The pool and the arbiter's deregistration keep each buffer's pin list short.
 */
@JCStressTest
@Description("reg_mr then a released key: the device that sees the key is granted the whole registration")
@Outcome(id = "0, -1, -1, -1, -1", expect = ACCEPTABLE, desc = "The key not posted yet: the device looks nothing up.")
@Outcome(id = "1, 0, 1, 192, 128", expect = ACCEPTABLE, desc = "The key and the whole registration: granted on the buffer.")
@Outcome(id = "1, 1, 0, 0, 0", expect = FORBIDDEN,
        desc = "The key seen before its registration: refused as BAD_KEY although reg_mr had returned it.")
@Outcome(expect = FORBIDDEN, desc = "The key with a partial registration: a grant on the wrong buffer, offset or "
        + "length, or a refusal the registration does not explain.")
@State
public class RegMrPublishesBeforeKey {

    static final long IOVA = 0x10_0000L;
    static final int BUFFERS = 64;
    private static final AlignedBuffer[] POOL = new AlignedBuffer[BUFFERS];
    private static final AtomicInteger NEXT_BUFFER = new AtomicInteger();
    private static final VarHandle POSTED_KEY;

    static {
        for (int i = 0; i < BUFFERS; i++) {
            POOL[i] = AlignedBuffer.allocate(4096, Alignment.PAGE);
        }
        try {
            POSTED_KEY = MethodHandles.lookup().findVarHandle(RegMrPublishesBeforeKey.class, "postedKey", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AlignedBuffer buffer = POOL[NEXT_BUFFER.getAndIncrement() & BUFFERS - 1];
    private final ProtectionDomain pd = KeyTable.create(1).allocPd();
    private final Translation t = new Translation();
    private MemoryRegion mr;
    private int postedKey;

    @Actor
    public void host() {
        mr = pd.regMr(buffer, 128, 256, IOVA, AccessFlags.REMOTE_READ);
        POSTED_KEY.setRelease(this, mr.rkey()); // smp_store_release(), as the doorbell's writel: the registration before the key that names it
    }

    @Actor
    public void device(IIIII_Result r) {
        int key = (int) POSTED_KEY.getAcquire(this); // smp_load_acquire(): the key before the lookup that relies on it
        if (key == 0) {
            r.r1 = 0;
            r.r2 = -1;
            r.r3 = -1;
            r.r4 = -1;
            r.r5 = -1;
            return;
        }
        r.r1 = 1;
        r.r2 = pd.table().lookup(key, IOVA + 64, 128, AccessFlags.REMOTE_READ, pd, t);
        r.r3 = t.next() && t.segment() == buffer.segment() ? 1 : 0;
        r.r4 = (int) t.offset();
        r.r5 = (int) t.byteCount();
    }

    @Arbiter
    public void deregister() {
        mr.deregister();
    }
}
