package dev.qpair.perf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pins the HCA model's engine thread, which {@code Device.open(..., DeviceMode.THREAD)} starts
 * itself with no hook for its affinity: the thread is found by its Linux name in
 * {@code /proc/self/task/<tid>/comm} (the JVM sets a Java thread's native name, cut to 15 bytes)
 * and pinned with {@code sched_setaffinity(tid, ...)}. Fails soft with a note, as {@link Affinity} does.
 */
public final class EngineThreadPin {

    /** {@code "qpair-hca-engine"} as Linux keeps it: TASK_COMM_LEN is 16 bytes with the NUL. */
    static final String COMM = "qpair-hca-engin";

    private EngineThreadPin() {
    }

    /**
     * Pins every thread of this process named {@link #COMM} to {@code cpu}; call it right after
     * opening a device in thread mode (the suite runs one device at a time).
     *
     * @return null when pinned, otherwise a note saying why not
     */
    public static String pin(int cpu) {
        if (cpu < 0) {
            return null;
        }
        // The engine thread names itself when it starts running, a little after Device.open returns.
        long deadline = System.nanoTime() + 2_000_000_000L;
        String note;
        while ((note = pinOnce(cpu)) != null && note.startsWith(NOT_FOUND) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return note;
    }

    private static final String NOT_FOUND = "HCA engine thread not found";

    private static String pinOnce(int cpu) {
        int pinned = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).strip();
                } catch (IOException e) {
                    continue; // the thread ended while we looked
                }
                if (COMM.equals(comm)) {
                    String note = Affinity.pinThread(Integer.parseInt(task.getFileName().toString()), cpu);
                    if (note != null) {
                        return "HCA engine thread: " + note;
                    }
                    pinned++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return "HCA engine thread not pinned: /proc/self/task unreadable (" + e + ")";
        }
        return pinned > 0 ? null : NOT_FOUND + " in /proc/self/task: engine unpinned";
    }
}
