package io.durableruns.ports.out;

/** The repositories, bound to one open transaction. Valid only inside {@link RunStore#inTransaction}. */
public interface StoreTransaction {
    RunRepository runs();

    StepRepository steps();

    ArtifactRepository artifacts();

    ToolCallRepository toolCalls();

    TimelineRepository timeline();

    IntentRepository intents();

    GraphVersionRepository graphVersions();
}
