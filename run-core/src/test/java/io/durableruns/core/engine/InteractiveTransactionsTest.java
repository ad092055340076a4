package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.NonRetryableStepException;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.out.RunStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The commands a caller waits for (creating a run, cancelling it, retrying it) ask the store for an interactive
 * transaction, which a single-writer store lets go before the dispatcher's queued work; the dispatcher's own
 * transactions do not.
 */
class InteractiveTransactionsTest {
    private final InMemoryRunStore memory = new InMemoryRunStore();
    private final List<String> kinds = new ArrayList<>();

    private final RunStore recording = new RunStore() {
        @Override
        public <R> R inTransaction(TransactionWork<R> work) {
            kinds.add("background");
            return memory.inTransaction(work);
        }

        @Override
        public <R> R inInteractiveTransaction(TransactionWork<R> work) {
            kinds.add("interactive");
            return memory.inTransaction(work);
        }

        @Override
        public <R> R read(TransactionWork<R> work) {
            return memory.read(work);
        }
    };

    private RunEngine engine() {
        GraphRegistry registry = new GraphRegistry();
        registry.register(StepGraph.builder("fails", 1)
                .step("only", ctx -> {
                    throw new NonRetryableStepException("bad input");
                })
                .build());
        return RunEngine.builder()
                .store(recording)
                .registry(registry)
                .clock(new SettableClock())
                .ids(new SequentialIds())
                .enforceTimeouts(false)
                .build();
    }

    @Test
    void create_cancel_and_retry_are_interactive_and_the_dispatchers_work_is_not() {
        RunEngine engine = engine();
        kinds.clear();
        String id =
                engine.create(CreateRunCommand.of("fails", null)).run().run().id();
        assertThat(kinds).as("creating").containsExactly("interactive");

        kinds.clear();
        StepLease lease = engine.claimDue("worker", 1).get(0);
        engine.work(lease, false);
        assertThat(engine.find(id).orElseThrow().run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(kinds).as("claiming and working").isNotEmpty().containsOnly("background");

        kinds.clear();
        engine.retry(id);
        assertThat(kinds).as("retrying").containsExactly("interactive");

        kinds.clear();
        engine.cancel(id);
        assertThat(kinds).as("cancelling").containsExactly("interactive");
    }
}
