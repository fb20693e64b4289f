package dev.qpair.perf;

import java.io.PrintStream;

/** Entry point of {@code ./qpair-perf}. */
public final class PerfMain {

    private PerfMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        String command = args.length == 0 ? "demo" : args[0];
        switch (command) {
            case "demo" -> new RingDoorbellDemo(intOption(args, "--iterations", 1_000_000),
                    intOption(args, "--warmup", 200_000)).run(out);
            case "help", "-h", "--help" -> usage(out);
            default -> {
                usage(System.err);
                System.exit(2);
            }
        }
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 1; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                try {
                    int value = Integer.parseInt(args[i + 1]);
                    if (value >= 0) {
                        return value;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException(name + " must be a non-negative integer, got '" + args[i + 1] + "'");
            }
        }
        return fallback;
    }

    private static void usage(PrintStream out) {
        out.println("usage: ./qpair-perf [demo] [--iterations N] [--warmup N]");
        out.println("  demo   post through an off-heap ring with a doorbell, print an HdrHistogram summary (default)");
    }
}
