package io.durableruns.examples.graphs;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.StepContext;

/**
 * The demo graphs' shared input knobs: {@code sleepMs} makes every step sleep, and {@code failTimes}
 * makes a named step throw while its attempt number is at most the given count, so retries and failures
 * can be shown on purpose; {@code failMessage}, when given, is the message of those failures:
 * {@code {"topic":"...","sleepMs":0,"failTimes":{"synthesize":2},"failMessage":"model overloaded"}}.
 */
final class DemoInput {
    private DemoInput() {}

    /** Sleeps, then throws when the input asks this attempt to fail. */
    static void apply(StepContext ctx) throws InterruptedException {
        JsonNode input = ctx.input();
        long sleepMs = input.path("sleepMs").asLong(0);
        if (sleepMs > 0) {
            Thread.sleep(sleepMs);
        }
        int failTimes = input.path("failTimes").path(ctx.stepName()).asInt(0);
        if (ctx.attempt() <= failTimes) {
            String message = input.path("failMessage").asText("");
            throw new DemoFailure(
                    message.isEmpty()
                            ? "step '" + ctx.stepName() + "' was asked to fail " + failTimes
                                    + " time(s); this is attempt " + ctx.attempt()
                            : message);
        }
    }

    static String topic(StepContext ctx) {
        return ctx.input().path("topic").asText("untitled");
    }

    /** The failure the demo input asks for. */
    static final class DemoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }
}
