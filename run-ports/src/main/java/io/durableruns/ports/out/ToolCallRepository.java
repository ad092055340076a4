package io.durableruns.ports.out;

import io.durableruns.ports.model.ToolCallRecord;
import java.util.List;

/** Tool calls recorded by step attempts. */
public interface ToolCallRepository {

    void insertAll(List<ToolCallRecord> calls);

    /** The tool calls of a run in the order they were recorded. */
    List<ToolCallRecord> findByRun(String runId);
}
