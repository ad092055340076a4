package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import java.util.Map;

/** Everything an attempt needs, read in the transaction that claimed it. */
record PreparedAttempt(StepLease lease, RunRecord run, StepRecord step, Map<String, JsonNode> dependencyOutputs) {}
