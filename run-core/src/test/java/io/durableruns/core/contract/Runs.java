package io.durableruns.core.contract;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Starting runs and waiting for them to finish, in dispatcher tests. */
public final class Runs {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** A liveness bound, not a performance assertion: far beyond what any of these tests needs. */
    public static final Duration PATIENCE = Duration.ofSeconds(90);

    private Runs() {}

    public static String start(RunEngine engine, String graph, Map<String, ?> input) {
        return engine.create(CreateRunCommand.of(graph, JSON.valueToTree(input)))
                .run()
                .run()
                .id();
    }

    public static List<String> start(RunEngine engine, String graph, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(start(engine, graph, Map.of("i", i)));
        }
        return ids;
    }

    /** Waits until every run is finished; fails, listing the stragglers, when that takes longer than the patience. */
    public static List<RunDetails> awaitFinished(RunEngine engine, Collection<String> ids) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            List<RunDetails> details =
                    ids.stream().map(id -> engine.find(id).orElseThrow()).toList();
            List<RunDetails> open =
                    details.stream().filter(d -> !d.run().status().isTerminal()).toList();
            if (open.isEmpty()) {
                return details;
            }
            if (System.nanoTime() > deadline) {
                fail("%d of %d runs did not finish within %s, e.g. %s", open.size(), ids.size(), PATIENCE, open.get(0));
            }
            sleep(20);
        }
    }

    public static void awaitSucceeded(RunEngine engine, Collection<String> ids) {
        for (RunDetails d : awaitFinished(engine, ids)) {
            if (d.run().status() != RunStatus.SUCCEEDED) {
                fail("run %s ended %s: %s", d.run().id(), d.run().status(), d.steps());
            }
        }
    }

    /** Waits until {@code condition} holds; fails naming {@code what} when that takes longer than the patience. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within %s: %s", PATIENCE, what);
            }
            sleep(5);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
