package io.durableruns.examples.bench;

import io.durableruns.ports.in.CreateRunUseCase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@link DispatcherBenchmark}.
 *
 * @param postgresUrl a {@code jdbc:postgresql://} URL, or {@code null} to skip PostgreSQL
 * @param markdown where to write the markdown tables too, or {@code null}
 */
record BenchOptions(
        String postgresUrl,
        boolean ownDatabase,
        boolean sqlite,
        List<Integer> workers,
        int prefetch,
        int createBatch,
        List<Workload> workloads,
        int chainRuns,
        int fanOutRuns,
        int reps,
        int warmupChainRuns,
        int warmupFanOutRuns,
        int maxWarmupRounds,
        Duration ceilingWarmup,
        Duration ceilingMeasure,
        boolean verifierOnly,
        boolean verifier,
        int verifierIterations,
        Path markdown,
        boolean verbose,
        boolean quick,
        boolean help) {

    static final String DEFAULT_POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    static final String USAGE = """
            Usage: DispatcherBenchmark [options]
              --postgres-url URL   jdbc:postgresql:// URL (default: $RUNS_BENCH_POSTGRES_URL, then
                                   $RUNS_TEST_POSTGRES_URL, then %s)
              --shared-database    measure in the database of the URL instead of creating one for the run
                                   (other clients' transactions then count too)
              --stores LIST        postgres,sqlite (default both)
              --workers LIST       worker counts (default 8,32)
              --prefetch N         the dispatcher's prefetch: steps a commit may claim beyond its worker's
                                   next (default 0)
              --create-batch N     the creators create N runs per createAll call, one transaction for
                                   them all, instead of one run per create call (default 1: create)
              --workloads LIST     chain-5,fan-out-10 (default), fan-out-500 (a fan-out 500 wide, a fiftieth
                                   of fan-out-10's runs), chain-25 (25 steps in a line, a fifth of
                                   chain-5's runs)
              --reps N             repetitions per configuration, the median is reported (default 3)
              --quick              a smoke run: few runs, one repetition, short ceilings
              --verifier           only measure QStash signature verification
              --no-verifier        skip measuring QStash signature verification
              --markdown FILE      also write the markdown tables to FILE
              --verbose            keep the INFO logs of the store and the dispatcher
            """.formatted(DEFAULT_POSTGRES_URL);

    static BenchOptions parse(String[] args, Map<String, String> env) {
        String url = env.getOrDefault(
                "RUNS_BENCH_POSTGRES_URL", env.getOrDefault("RUNS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL));
        boolean postgres = true;
        boolean ownDatabase = true;
        boolean sqlite = true;
        List<Integer> workers = List.of(8, 32);
        int prefetch = 0;
        int createBatch = 1;
        List<Workload> workloads = List.of(Workload.CHAIN, Workload.FAN_OUT);
        Integer reps = null;
        boolean quick = false;
        boolean verifierOnly = false;
        boolean verifier = true;
        Path markdown = null;
        boolean verbose = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--postgres-url" -> url = value(args, ++i, arg);
                case "--shared-database" -> ownDatabase = false;
                case "--stores" -> {
                    List<String> stores = List.of(value(args, ++i, arg).split(","));
                    for (String s : stores) {
                        if (!s.equals("postgres") && !s.equals("sqlite")) {
                            throw new IllegalArgumentException("--stores takes postgres and/or sqlite, not " + s);
                        }
                    }
                    postgres = stores.contains("postgres");
                    sqlite = stores.contains("sqlite");
                }
                case "--workers" -> workers = integers(value(args, ++i, arg), arg);
                case "--prefetch" -> prefetch = zeroOrMore(value(args, ++i, arg), arg);
                case "--create-batch" -> createBatch = createBatch(value(args, ++i, arg), arg);
                case "--workloads" -> workloads = workloads(value(args, ++i, arg));
                case "--reps" -> reps = integers(value(args, ++i, arg), arg).get(0);
                case "--quick" -> quick = true;
                case "--verifier" -> verifierOnly = true;
                case "--no-verifier" -> verifier = false;
                case "--markdown" -> markdown = Path.of(value(args, ++i, arg));
                case "--verbose" -> verbose = true;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        String postgresUrl = postgres ? url : null;
        if (quick) {
            return new BenchOptions(
                    postgresUrl,
                    ownDatabase,
                    sqlite,
                    workers,
                    prefetch,
                    createBatch,
                    workloads,
                    300,
                    60,
                    reps == null ? 1 : reps,
                    100,
                    20,
                    1,
                    Duration.ofMillis(300),
                    Duration.ofMillis(700),
                    verifierOnly,
                    verifier || verifierOnly,
                    5_000,
                    markdown,
                    verbose,
                    true,
                    help);
        }
        return new BenchOptions(
                postgresUrl,
                ownDatabase,
                sqlite,
                workers,
                prefetch,
                createBatch,
                workloads,
                2000,
                500,
                reps == null ? 3 : reps,
                500,
                100,
                8,
                Duration.ofMillis(500),
                Duration.ofSeconds(2),
                verifierOnly,
                verifier || verifierOnly,
                50_000,
                markdown,
                verbose,
                false,
                help);
    }

    int runs(Workload workload) {
        return switch (workload) {
            case CHAIN -> chainRuns;
            case CHAIN_25 -> Math.max(1, chainRuns / 5);
            case FAN_OUT -> fanOutRuns;
            case FAN_OUT_500 -> Math.max(1, fanOutRuns / 50);
        };
    }

    int warmupRuns(Workload workload) {
        return switch (workload) {
            case CHAIN -> warmupChainRuns;
            case CHAIN_25 -> Math.max(1, warmupChainRuns / 5);
            case FAN_OUT -> warmupFanOutRuns;
            case FAN_OUT_500 -> Math.max(1, warmupFanOutRuns / 50);
        };
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    private static List<Workload> workloads(String text) {
        List<Workload> out = new ArrayList<>();
        for (String label : text.split(",")) {
            Workload match = null;
            for (Workload w : Workload.values()) {
                if (w.label().equals(label.strip())) {
                    match = w;
                }
            }
            if (match == null) {
                throw new IllegalArgumentException(
                        "--workloads takes chain-5, chain-25, fan-out-10 and fan-out-500, not " + label);
            }
            out.add(match);
        }
        return List.copyOf(out);
    }

    /** A batch size from 1 to {@link CreateRunUseCase#MAX_RUNS_PER_CALL}. */
    private static int createBatch(String text, String option) {
        List<Integer> n = integers(text, option);
        if (n.size() != 1 || n.get(0) > CreateRunUseCase.MAX_RUNS_PER_CALL) {
            throw new IllegalArgumentException(
                    option + " takes one integer from 1 to " + CreateRunUseCase.MAX_RUNS_PER_CALL + ", not " + text);
        }
        return n.get(0);
    }

    /** An integer of 0 or more, as {@code option} takes it. */
    private static int zeroOrMore(String text, String option) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(option + " takes an integer of 0 or more, not " + text);
    }

    static List<Integer> integers(String text, String option) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            int n;
            try {
                n = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes positive integers, not " + part);
            }
            if (n < 1) {
                throw new IllegalArgumentException(option + " takes positive integers, not " + n);
            }
            out.add(n);
        }
        return List.copyOf(out);
    }
}
