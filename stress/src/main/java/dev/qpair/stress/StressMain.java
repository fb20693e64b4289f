package dev.qpair.stress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.TestGrading;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * Runs the jcstress suite and fails (exit status 1) unless every selected test was generated, ran
 * and passed. jcstress itself exits 0 when a test observes a forbidden outcome, when no test
 * matches, and when the annotation processor never ran; this runner closes all three holes.
 *
 * <p>Arguments: {@code --classes DIR} (the compiled test classes, scanned for
 * {@code @JCStressTest}), then any jcstress option ({@code -m}, {@code -t}, {@code -r}, ...).
 */
public final class StressMain {

    private StressMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> jcstressArgs = new ArrayList<>(Arrays.asList(args));
        Path classes = Path.of(takeOption(jcstressArgs, "--classes"));
        String filter = optionValue(jcstressArgs, "-t", ".*");

        SortedSet<String> declared = declaredTests(classes, Pattern.compile(filter));
        if (declared.isEmpty()) {
            fail("no @JCStressTest class under " + classes + " matches -t " + filter);
        }
        SortedSet<String> generated = generatedTests();
        SortedSet<String> notGenerated = new TreeSet<>(declared);
        notGenerated.removeAll(generated);
        if (!notGenerated.isEmpty()) {
            fail("the jcstress annotation processor generated no runner for " + notGenerated
                    + " (javac since JDK 23 runs processors only when named: see annotationProcessorPaths)");
        }

        Options options = new Options(jcstressArgs.toArray(new String[0]));
        if (!options.parse()) {
            fail("jcstress rejected the options " + jcstressArgs);
        }
        long start = System.nanoTime();
        new JCStress(options).run();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        Map<String, List<TestResult>> results = readResults(options.getResultFile());
        System.out.println();
        System.out.println("Qpair jcstress verdict (" + declared.size() + " tests, mode " + optionValue(jcstressArgs, "-m", "default")
                + ", " + seconds + " s):");
        System.out.printf("  %-70s %8s %14s %12s  %s%n", "TEST", "CONFIGS", "SAMPLES", "INTERESTING", "VERDICT");
        List<String> failures = new ArrayList<>();
        for (String test : declared) {
            List<TestResult> runs = results.getOrDefault(test, List.of());
            long samples = 0;
            long interesting = 0;
            String verdict = "PASSED";
            for (TestResult run : runs) {
                samples += run.getTotalCount();
                if (run.status() != Status.NORMAL) {
                    verdict = "ERROR: " + run.status() + " " + run.getMessages();
                    continue;
                }
                TestGrading grading = run.grading();
                if (grading.hasInteresting) {
                    interesting++;
                }
                if (!grading.isPassed) {
                    verdict = "FAILED: " + String.join("; ", grading.failureMessages);
                }
            }
            if (runs.isEmpty() || samples == 0) {
                verdict = "DID NOT RUN";
            }
            if (!verdict.equals("PASSED")) {
                failures.add(test + ": " + verdict);
            }
            System.out.printf("  %-70s %8d %,14d %12d  %s%n", test, runs.size(), samples, interesting, verdict);
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + declared.size() + " jcstress tests did not pass:\n  "
                    + String.join("\n  ", failures));
        }
        System.out.println("All " + declared.size() + " jcstress tests ran and passed; FORBIDDEN outcomes observed: 0.");
    }

    private static SortedSet<String> declaredTests(Path classes, Pattern filter) throws IOException {
        SortedSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String relative = classes.relativize(file).toString();
                if (!relative.endsWith(".class") || relative.contains("jcstress") || relative.equals("module-info.class")) {
                    continue;
                }
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                Class<?> type;
                try {
                    type = Class.forName(name, false, StressMain.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                if (type.isAnnotationPresent(JCStressTest.class) && filter.matcher(type.getName()).find()) {
                    names.add(type.getName());
                }
            }
        }
        return names;
    }

    private static SortedSet<String> generatedTests() throws IOException {
        try (InputStream list = TestList.class.getResourceAsStream(TestList.LIST)) {
            if (list == null) {
                fail("no " + TestList.LIST + " on the class path: the jcstress annotation processor did not run");
            }
        }
        return new TreeSet<>(TestList.tests());
    }

    private static Map<String, List<TestResult>> readResults(String file) throws Exception {
        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(file, collector);
        reader.dump();
        reader.close();
        Map<String, List<TestResult>> byTest = new TreeMap<>();
        Collection<TestResult> all = collector.getTestResults();
        for (TestResult result : all) {
            byTest.computeIfAbsent(result.getName(), k -> new ArrayList<>()).add(result);
        }
        return byTest;
    }

    private static String takeOption(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size()) {
            fail("missing " + name + " argument");
        }
        String value = args.get(i + 1);
        args.subList(i, i + 2).clear();
        return value;
    }

    private static String optionValue(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    private static void fail(String message) {
        System.err.println("QPAIR JCSTRESS FAILURE: " + message);
        System.exit(1);
    }
}
