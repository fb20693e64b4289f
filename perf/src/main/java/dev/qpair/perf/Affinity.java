package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * Pins the calling thread to one CPU with Linux {@code sched_setaffinity(0, size, mask)} through an
 * FFM downcall. Fails soft: where the call is missing or refused, {@link #pinCurrentThread} returns
 * a note for the output instead of throwing, and the benchmark runs unpinned.
 */
public final class Affinity {

    private static final int CPU_SET_BYTES = 128;
    private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURED.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SCHED_SETAFFINITY = lookup();

    private Affinity() {
    }

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> symbol = linker.defaultLookup().find("sched_setaffinity");
            return symbol.map(address -> linker.downcallHandle(address,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                    Linker.Option.captureCallState("errno"))).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Pins the calling thread to {@code cpu}.
     *
     * @return null when pinned, otherwise a one-line note saying why not
     */
    public static String pinCurrentThread(int cpu) {
        return pinThread(0, cpu);
    }

    /**
     * Pins the thread with Linux thread id {@code tid} ({@code sched_setaffinity(tid, ...)}; 0 is
     * the calling thread), for threads a library starts itself, such as the HCA engine.
     *
     * @return null when pinned, otherwise a one-line note saying why not
     */
    public static String pinThread(int tid, int cpu) {
        if (SCHED_SETAFFINITY == null) {
            return "sched_setaffinity not available (not Linux, or native access denied): threads unpinned";
        }
        if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) {
            return "cpu " + cpu + " outside the cpu_set_t of " + CPU_SET_BYTES * 8 + " CPUs: thread unpinned";
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES, 8);
            mask.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            MemorySegment state = arena.allocate(CAPTURED);
            int rc = (int) SCHED_SETAFFINITY.invokeExact(state, tid, (long) CPU_SET_BYTES, mask);
            if (rc != 0) {
                return "sched_setaffinity(" + (tid == 0 ? "" : "tid " + tid + ", ") + "cpu " + cpu + ") failed, errno " + (int) ERRNO.get(state, 0L)
                        + ": thread unpinned";
            }
            return null;
        } catch (Throwable e) {
            return "sched_setaffinity(cpu " + cpu + ") threw " + e + ": thread unpinned";
        }
    }
}
