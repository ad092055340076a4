// What happened to each attempt of each step, read from the run's timeline and tool calls.

function elapsed(a) {
  return a.startedAt && a.endedAt ? Date.parse(a.endedAt) - Date.parse(a.startedAt) : null;
}

/**
 * Map of step name → array of attempts {attempt, startedAt, endedAt, outcome, error, retryAt, toolCalls},
 * oldest first.
 */
export function attemptsByStep(run, events, toolCalls) {
  const steps = new Map(run.steps.map((st) => [st.name, new Map()]));
  const attemptOf = (step, n) => {
    const ofStep = steps.get(step);
    if (!ofStep || !n) return null;
    if (!ofStep.has(n)) {
      ofStep.set(n, {
        attempt: n, startedAt: null, endedAt: null, ranMs: null, outcome: null, error: null, retryAt: null, toolCalls: [],
      });
    }
    return ofStep.get(n);
  };
  for (const e of events) {
    const a = attemptOf(e.step, e.attempt);
    if (!a) continue;
    const data = e.data || {};
    switch (e.type) {
      case 'STEP_STARTED':
        a.startedAt = e.at;
        break;
      case 'STEP_SUCCEEDED':
        a.endedAt = e.at;
        a.outcome = 'SUCCEEDED';
        a.ranMs = typeof data.durationMs === 'number' ? data.durationMs : elapsed(a);
        break;
      case 'STEP_FAILED':
        a.endedAt = e.at;
        a.outcome = 'FAILED';
        a.ranMs = elapsed(a);
        a.error = {
          type: data.errorType || 'Error', message: data.message || '', stackTrace: data.stackTrace || null,
          willRetry: data.willRetry === true, reason: data.reason || null,
        };
        break;
      case 'STEP_RETRY_SCHEDULED': {
        const previous = attemptOf(e.step, e.attempt - 1);
        if (previous) previous.retryAt = data.at || null;
        steps.get(e.step).delete(e.attempt);
        break;
      }
      case 'STEP_LEASE_EXPIRED':
        a.leaseExpired = { owner: data.owner || null, leaseUntil: data.leaseUntil || null };
        break;
      case 'STEP_CANCELLED':
        a.endedAt = e.at;
        a.outcome = 'CANCELLED';
        break;
      default:
        break;
    }
  }
  for (const call of toolCalls) {
    const a = attemptOf(call.step, call.attempt);
    if (a) a.toolCalls.push(call);
  }
  const result = new Map();
  for (const st of run.steps) {
    const list = [...steps.get(st.name).values()].sort((x, y) => x.attempt - y.attempt);
    const last = list[list.length - 1];
    if (last && last.error && !last.error.stackTrace && st.error && st.attempt === last.attempt) {
      last.error.stackTrace = st.error.stackTrace || null;
    }
    result.set(st.name, list);
  }
  return result;
}
