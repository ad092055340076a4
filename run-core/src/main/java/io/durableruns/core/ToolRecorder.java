package io.durableruns.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * Records tool usage (external calls: search APIs, models, fetches) of the current attempt. Records are
 * persisted with the attempt whether it succeeds or fails, and appear in the run's tool-call list.
 *
 * <pre>{@code
 * List<Hit> hits = ctx.tools().call("web-search", Map.of("q", query), () -> search.query(query));
 * }</pre>
 */
public interface ToolRecorder {

    /**
     * Runs {@code call}, recording the tool name, input, output (or error), start and duration. The
     * call's exception is rethrown unchanged after it was recorded.
     */
    <T> T call(String tool, Object input, Callable<T> call) throws Exception;

    /** Records a tool call made elsewhere. {@code output} or {@code error} may be null. */
    void record(String tool, Object input, Object output, String error, Instant startedAt, Duration duration);
}
