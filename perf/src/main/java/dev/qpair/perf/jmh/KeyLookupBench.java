package dev.qpair.perf.jmh;

import dev.qpair.memory.AccessFlags;
import dev.qpair.memory.AccessStatus;
import dev.qpair.memory.AlignedBuffer;
import dev.qpair.memory.Alignment;
import dev.qpair.memory.KeyTable;
import dev.qpair.memory.MemoryRegion;
import dev.qpair.memory.MrType;
import dev.qpair.memory.ProtectionDomain;
import dev.qpair.memory.ScatterEntry;
import dev.qpair.memory.Sge;
import dev.qpair.memory.Translation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The check a device makes on every access: {@link KeyTable#lookup} (key, variant, PD, state,
 * access flags, bounds) with one reused {@link Translation}, then walking the granted pieces as a
 * copy loop would ({@code while (t.next()) bytes += t.length()}), without the copy itself. Four
 * cases: a direct region (one piece), a page-list region accessed across a page boundary onto a
 * page that is not contiguous with the first (two pieces), an indirect region accessed across two
 * elements (two pieces, plus the check that both elements' regions are still current), and a stale
 * key (refused; no pieces). The set-up checks that each case answers the status and piece count it
 * is named for. Run with {@code -prof gc}: 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyLookupBench {

    private static final int PAGE = 4096;
    private static final int READ_WRITE = AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE | AccessFlags.REMOTE_READ;

    private AlignedBuffer data;
    private AlignedBuffer pageA;
    private AlignedBuffer pageB;
    private MemoryRegion directMr;
    private MemoryRegion pagesMr;
    private MemoryRegion indirectMr;
    private MemoryRegion reregMr;

    private KeyTable table;
    private ProtectionDomain pd;
    private final Translation t = new Translation();

    private int directKey;
    private long directAddr;
    private int pagesKey;
    private long pagesAddr;
    private int indirectKey;
    private long indirectAddr;
    private int staleKey;
    private long staleAddr;
    private long length;
    private int access;

    @Setup(Level.Trial)
    public void setUp() {
        table = KeyTable.create(16);
        pd = table.allocPd();
        data = AlignedBuffer.allocate(4 * PAGE, Alignment.PAGE);
        pageA = AlignedBuffer.allocate(PAGE, Alignment.PAGE);
        pageB = AlignedBuffer.allocate(PAGE, Alignment.PAGE);
        length = 256;
        access = AccessFlags.REMOTE_WRITE;

        directMr = pd.regMr(data, 0, 2 * PAGE, 0x10_0000L, READ_WRITE);
        directKey = directMr.rkey();
        directAddr = 0x10_0000L + 1024;

        pagesMr = pd.allocMr(MrType.PAGE_LIST, 2);
        pagesKey = pagesMr.mapPages(PAGE, READ_WRITE, new ScatterEntry(pageA, 0, PAGE), new ScatterEntry(pageB, 0, PAGE));
        pagesAddr = pagesMr.iova() + PAGE - length / 2;

        indirectMr = pd.allocMr(MrType.INDIRECT, 2);
        indirectKey = indirectMr.mapIndirect(0x20_0000L, READ_WRITE,
                new Sge(directKey, 0x10_0000L, 1000), new Sge(directKey, 0x10_0000L + 3000, 1000));
        indirectAddr = 0x20_0000L + 1000 - length / 2;

        reregMr = pd.regMr(data, 2 * PAGE, 2 * PAGE, 0x30_0000L, READ_WRITE);
        staleKey = reregMr.rkey();
        reregMr.rereg(data, 2 * PAGE, 2 * PAGE, 0x30_0000L, READ_WRITE);
        staleAddr = 0x30_0000L + 1024;

        expect("direct", directKey, directAddr, AccessStatus.OK, 1);
        expect("pageList2Pages", pagesKey, pagesAddr, AccessStatus.OK, 2);
        expect("indirect2Elements", indirectKey, indirectAddr, AccessStatus.OK, 2);
        expect("staleKey", staleKey, staleAddr, AccessStatus.STALE_KEY, 0);
    }

    private void expect(String name, int key, long addr, int status, int pieces) {
        int got = table.lookup(key, addr, length, access, pd, t);
        int n = 0;
        long bytes = 0;
        while (t.next()) {
            n++;
            bytes += t.length();
        }
        if (got != status || n != pieces || bytes != (status == AccessStatus.OK ? length : 0)) {
            throw new IllegalStateException(name + ": " + AccessStatus.name(got) + " in " + n + " pieces of "
                    + bytes + " bytes, expected " + AccessStatus.name(status) + " in " + pieces + " pieces");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        indirectMr.deregister();
        pagesMr.deregister();
        reregMr.deregister();
        directMr.deregister();
        pd.dealloc();
        data.close();
        pageA.close();
        pageB.close();
    }

    @Benchmark
    public void direct(Blackhole bh) {
        lookupAndWalk(directKey, directAddr, bh);
    }

    @Benchmark
    public void pageList2Pages(Blackhole bh) {
        lookupAndWalk(pagesKey, pagesAddr, bh);
    }

    @Benchmark
    public void indirect2Elements(Blackhole bh) {
        lookupAndWalk(indirectKey, indirectAddr, bh);
    }

    @Benchmark
    public void staleKey(Blackhole bh) {
        lookupAndWalk(staleKey, staleAddr, bh);
    }

    private void lookupAndWalk(int key, long addr, Blackhole bh) {
        bh.consume(table.lookup(key, addr, length, access, pd, t));
        long bytes = 0;
        while (t.next()) {
            bytes += t.length();
        }
        bh.consume(bytes);
    }
}
