package dev.qpair.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random (key, address, length, access, PD) tuples against random worlds of direct, page-list and
 * indirect regions, some re-registered, invalidated or deregistered. An independent model (per-byte
 * maps built from the registration inputs, unsigned bounds in {@link BigInteger}) says what must be
 * granted; every lookup's status must match it, and every granted byte must be the byte the model maps.
 */
class LookupPropertyTest {

    private static final int PAGE = 4096;
    private static final int BUFFER = 3 * PAGE;
    private static final int TUPLES = 6000;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** What the model knows of one registration. */
    private static final class Model {
        final MemoryRegion mr;
        int key;
        boolean valid;
        int access;
        long iova;
        int length;
        int generation;
        MemorySegment[] segOf;
        long[] offOf;
        int[] elementOf;
        Model[] elementSource;
        int[] elementGeneration;

        Model(MemoryRegion mr) {
            this.mr = mr;
        }

        void set(int key, int access, long iova, MemorySegment[] segOf, long[] offOf) {
            this.key = key;
            this.valid = true;
            this.access = access;
            this.iova = iova;
            this.length = segOf.length;
            this.segOf = segOf;
            this.offOf = offOf;
            this.generation++;
        }
    }

    private SplittableRandom random;
    private KeyTable table;
    private List<ProtectionDomain> pds;
    private List<AlignedBuffer> buffers;
    private final Map<Integer, Model> byIndex = new HashMap<>();
    private final List<Model> models = new ArrayList<>();
    private final List<Integer> keysSeen = new ArrayList<>();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 0x5eed, 0xc0ffee})
    void lookupGrantsExactlyWhatTheModelGrants(long seed) {
        random = new SplittableRandom(seed);
        table = KeyTable.create(256);
        pds = List.of(table.allocPd(), table.allocPd(), table.allocPd());
        buffers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            buffers.add(AlignedBuffer.allocate(BUFFER, Alignment.PAGE));
        }
        for (int i = 0; i < 8; i++) {
            direct();
        }
        for (int i = 0; i < 5; i++) {
            pageList();
        }
        for (int i = 0; i < 4; i++) {
            indirect();
        }
        for (int i = 0; i < 6; i++) {
            mutate();
        }
        for (int i = 0; i < 3; i++) {
            indirect();
        }
        for (int i = 0; i < 3; i++) {
            mutate();
        }

        ProtectionDomain foreign = KeyTable.create(1).allocPd();
        Translation t = new Translation();
        int[] outcomes = new int[10];
        for (int n = 0; n < TUPLES; n++) {
            int key = pickKey();
            Model target = byIndex.get(key >>> 8);
            long length = pickLength(target);
            long addr = pickAddress(target, length);
            int access = random.nextInt(10) == 0 ? 1 << random.nextInt(4, 31) : random.nextInt(16);
            ProtectionDomain pd = random.nextInt(20) == 0 ? foreign : pds.get(random.nextInt(pds.size()));
            int expected = expect(key, addr, length, access, pd);
            int actual = table.lookup(key, addr, length, access, pd, t);
            String tuple = String.format("seed %d tuple %d: key 0x%08x addr 0x%x length %d access %s pd %s",
                    seed, n, key, addr, length, AccessFlags.toString(access), pd);
            assertEquals(AccessStatus.name(expected), AccessStatus.name(actual), tuple);
            outcomes[actual]++;
            if (actual == AccessStatus.OK) {
                checkPieces(t, target, addr, length, tuple);
            }
        }
        assertTrue(outcomes[AccessStatus.OK] > TUPLES / 20, "too few grants to mean anything: " + outcomes[0]);
        for (int s : new int[] {AccessStatus.BAD_KEY, AccessStatus.STALE_KEY, AccessStatus.WRONG_PD,
            AccessStatus.ACCESS_DENIED, AccessStatus.OUT_OF_BOUNDS}) {
            assertTrue(outcomes[s] > 0, "no " + AccessStatus.name(s) + " in seed " + seed);
        }
    }

    private void checkPieces(Translation t, Model m, long addr, long length, String tuple) {
        if (length == 0) {
            assertTrue(!t.next(), tuple + ": a zero-length grant has no pieces");
            return;
        }
        long at = addr - m.iova;
        long covered = 0;
        while (t.next()) {
            for (long j = 0; j < t.length(); j++) {
                int b = (int) (at + covered + j);
                if (t.segment() != m.segOf[b] || t.offset() + j != m.offOf[b]) {
                    throw new AssertionError(tuple + ": byte " + (covered + j) + " maps to offset " + (t.offset() + j)
                            + " of " + t.segment() + ", the model says " + m.offOf[b] + " of " + m.segOf[b]);
                }
            }
            covered += t.length();
        }
        assertEquals(length, covered, tuple + ": bytes handed out");
    }

    private int expect(int key, long addr, long length, int access, ProtectionDomain pd) {
        if (length == 0) {
            return AccessStatus.OK;
        }
        if (length < 0) {
            return AccessStatus.OUT_OF_BOUNDS;
        }
        Model m = byIndex.get(key >>> 8);
        if (m == null) {
            return AccessStatus.BAD_KEY;
        }
        if (m.key != key) {
            return AccessStatus.STALE_KEY;
        }
        if (m.mr.pd() != pd) {
            return AccessStatus.WRONG_PD;
        }
        if (!m.valid) {
            return AccessStatus.INVALIDATED;
        }
        if ((access & ~m.access) != 0) {
            return AccessStatus.ACCESS_DENIED;
        }
        BigInteger start = new BigInteger(Long.toUnsignedString(addr));
        BigInteger regionStart = new BigInteger(Long.toUnsignedString(m.iova));
        BigInteger end = start.add(BigInteger.valueOf(length));
        if (start.compareTo(regionStart) < 0 || end.compareTo(regionStart.add(BigInteger.valueOf(m.length))) > 0) {
            return AccessStatus.OUT_OF_BOUNDS;
        }
        boolean atomic = (access & AccessFlags.REMOTE_ATOMIC) != 0;
        if (atomic && (length != 8 || addr % 8 != 0)) {
            return AccessStatus.MISALIGNED_ATOMIC;
        }
        int first = start.subtract(regionStart).intValueExact();
        if (m.elementOf != null) {
            for (int b = first; b < first + length; b++) {
                int e = m.elementOf[b];
                if (m.elementSource[e].generation != m.elementGeneration[e] || !m.elementSource[e].valid
                        || byIndex.get(m.elementSource[e].mr.lkey() >>> 8) != m.elementSource[e]) {
                    return AccessStatus.ELEMENT_INVALIDATED;
                }
            }
        }
        if (atomic) {
            for (int b = first + 1; b < first + 8; b++) {
                if (m.segOf[b] != m.segOf[first] || m.offOf[b] != m.offOf[first] + (b - first)
                        || (m.elementOf != null && m.elementOf[b] != m.elementOf[first])) {
                    return AccessStatus.MISALIGNED_ATOMIC;
                }
            }
            if ((m.segOf[first].address() + m.offOf[first]) % 8 != 0) {
                return AccessStatus.MISALIGNED_ATOMIC;
            }
        }
        return AccessStatus.OK;
    }

    private int pickKey() {
        int r = random.nextInt(10);
        if (r < 6 && !models.isEmpty()) {
            return models.get(random.nextInt(models.size())).mr.lkey();
        }
        if (r < 8) {
            return keysSeen.get(random.nextInt(keysSeen.size()));
        }
        if (r < 9) {
            return keysSeen.get(random.nextInt(keysSeen.size())) & ~0xff | random.nextInt(256);
        }
        return random.nextInt();
    }

    private long pickAddress(Model target, long length) {
        if (target != null && length > 0 && length <= target.length + 1 && random.nextInt(4) == 0) {
            return target.iova + target.length - length + random.nextInt(-1, 2);
        }
        if (target == null || random.nextInt(10) == 0) {
            return random.nextInt(3) == 0 ? random.nextLong() : random.nextLong(-(1L << 16), 1L << 48);
        }
        return target.iova + random.nextLong(-64, target.length + 64) & (random.nextInt(4) == 0 ? ~7L : -1L);
    }

    private long pickLength(Model target) {
        int r = random.nextInt(20);
        if (r == 0) {
            return 0;
        }
        if (r == 1) {
            return -random.nextLong(1, Long.MAX_VALUE);
        }
        if (r == 2) {
            return random.nextLong(1, Long.MAX_VALUE);
        }
        if (r < 6) {
            return 8;
        }
        if (r == 6 && target != null) {
            return random.nextLong(1, target.length + 2);
        }
        return random.nextLong(1, 300);
    }

    private int pickAccess() {
        int access = random.nextInt(16);
        if ((access & (AccessFlags.REMOTE_WRITE | AccessFlags.REMOTE_ATOMIC)) != 0) {
            access |= AccessFlags.LOCAL_WRITE;
        }
        return access;
    }

    private Model track(MemoryRegion mr) {
        Model m = new Model(mr);
        models.add(m);
        byIndex.put(mr.lkey() >>> 8, m);
        keysSeen.add(mr.lkey());
        return m;
    }

    private void direct() {
        AlignedBuffer b = buffers.get(random.nextInt(buffers.size()));
        ProtectionDomain pd = pds.get(random.nextInt(pds.size()));
        int offset = random.nextInt(BUFFER - 1);
        int length = random.nextInt(1, BUFFER - offset + 1);
        long iova = switch (random.nextInt(3)) {
            case 0 -> b.segment().address() + offset;
            case 1 -> random.nextLong(0, 1L << 40);
            default -> -length - random.nextLong(0, 1000);
        };
        int access = pickAccess();
        MemoryRegion mr = pd.regMr(b, offset, length, iova, access);
        setDirect(track(mr), mr.lkey(), b, offset, length, iova, access);
    }

    private static void setDirect(Model m, int key, AlignedBuffer b, int offset, int length, long iova, int access) {
        MemorySegment[] segOf = new MemorySegment[length];
        long[] offOf = new long[length];
        for (int j = 0; j < length; j++) {
            segOf[j] = b.segment();
            offOf[j] = offset + j;
        }
        m.set(key, access, iova, segOf, offOf);
    }

    private void pageList() {
        ProtectionDomain pd = pds.get(random.nextInt(pds.size()));
        MemoryRegion mr = pd.allocMr(MrType.PAGE_LIST, 12);
        Model m = track(mr);
        mapPages(m);
    }

    private void mapPages(Model m) {
        int elements = random.nextInt(1, 4);
        List<ScatterEntry> sg = new ArrayList<>();
        List<MemorySegment> segs = new ArrayList<>();
        List<Long> offs = new ArrayList<>();
        for (int e = 0; e < elements; e++) {
            AlignedBuffer b = buffers.get(random.nextInt(buffers.size()));
            int firstPage = random.nextInt(2);
            int start = firstPage * PAGE + (e == 0 ? random.nextInt(PAGE) : 0);
            int end = e == elements - 1 ? random.nextInt(start + 1, BUFFER + 1) : (firstPage + 1 + random.nextInt(2 - firstPage)) * PAGE;
            if (end <= start) {
                end = Math.min(BUFFER, (start / PAGE + 1) * PAGE);
            }
            sg.add(new ScatterEntry(b, start, end - start));
            for (int j = start; j < end; j++) {
                segs.add(b.segment());
                offs.add((long) j);
            }
        }
        int access = pickAccess();
        int key = m.mr.mapPages(PAGE, access, sg);
        keysSeen.add(key);
        m.set(key, access, sg.get(0).address(), segs.toArray(MemorySegment[]::new),
                offs.stream().mapToLong(Long::longValue).toArray());
    }

    private void indirect() {
        ProtectionDomain pd = pds.get(random.nextInt(pds.size()));
        int access = pickAccess();
        boolean writes = (access & (AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE | AccessFlags.REMOTE_ATOMIC)) != 0;
        List<Model> sources = new ArrayList<>();
        for (Model s : models) {
            if (s.valid && s.mr.pd() == pd && s.elementOf == null && byIndex.get(s.mr.lkey() >>> 8) == s
                    && (!writes || (s.access & AccessFlags.LOCAL_WRITE) != 0)) {
                sources.add(s);
            }
        }
        if (sources.isEmpty()) {
            return;
        }
        MemoryRegion mr = pd.allocMr(MrType.INDIRECT, 4);
        int elements = random.nextInt(1, 5);
        List<Sge> sges = new ArrayList<>();
        List<MemorySegment> segs = new ArrayList<>();
        List<Long> offs = new ArrayList<>();
        List<Integer> elementOf = new ArrayList<>();
        Model[] elementSource = new Model[elements];
        int[] elementGeneration = new int[elements];
        for (int e = 0; e < elements; e++) {
            Model s = sources.get(random.nextInt(sources.size()));
            int offset = random.nextInt(s.length);
            int length = random.nextInt(1, Math.min(s.length - offset, 700) + 1);
            sges.add(new Sge(s.key, s.iova + offset, length));
            for (int j = offset; j < offset + length; j++) {
                segs.add(s.segOf[j]);
                offs.add(s.offOf[j]);
                elementOf.add(e);
            }
            elementSource[e] = s;
            elementGeneration[e] = s.generation;
        }
        long iova = random.nextBoolean() ? 0 : random.nextLong(0, 1L << 50);
        int key = mr.mapIndirect(iova, access, sges);
        Model m = track(mr);
        keysSeen.add(key);
        m.set(key, access, iova, segs.toArray(MemorySegment[]::new), offs.stream().mapToLong(Long::longValue).toArray());
        m.elementOf = elementOf.stream().mapToInt(Integer::intValue).toArray();
        m.elementSource = elementSource;
        m.elementGeneration = elementGeneration;
    }

    private void mutate() {
        Model m = models.get(random.nextInt(models.size()));
        if (byIndex.get(m.mr.lkey() >>> 8) != m) {
            return;
        }
        switch (random.nextInt(3)) {
            case 0 -> {
                m.mr.deregister();
                byIndex.remove(m.mr.lkey() >>> 8);
                m.valid = false;
                m.generation++;
            }
            case 1 -> {
                if (m.mr.type() == MrType.DIRECT) {
                    AlignedBuffer b = buffers.get(random.nextInt(buffers.size()));
                    int offset = random.nextInt(PAGE);
                    int length = random.nextInt(1, PAGE);
                    int access = pickAccess();
                    int key = m.mr.rereg(b, offset, length, access);
                    keysSeen.add(key);
                    setDirect(m, key, b, offset, length, b.segment().address() + offset, access);
                } else if (m.valid) {
                    m.mr.invalidate(m.key);
                    m.valid = false;
                    m.generation++;
                }
            }
            default -> {
                if (m.mr.type() == MrType.PAGE_LIST) {
                    if (m.valid) {
                        assertEquals(AccessStatus.OK, table.localInvalidate(m.key, m.mr.pd()));
                        m.valid = false;
                        m.generation++;
                    }
                    mapPages(m);
                }
            }
        }
    }
}
