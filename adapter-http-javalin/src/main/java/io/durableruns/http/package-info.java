/**
 * The HTTP API of the durable-runs engine, on Javalin. Start it with {@link io.durableruns.http.RunsHttpServer}
 * (which throws {@link io.durableruns.http.HttpServerException} when it cannot bind) and publish the engine's
 * meters with {@link io.durableruns.http.MicrometerEngineObserver}; everything else in this package is
 * package-private.
 *
 * <h2>The dashboard</h2>
 *
 * <p>{@code GET /} serves the runs dashboard (plain HTML, CSS and ES modules from the classpath folder
 * {@code io/durableruns/http/dashboard}, no build step): the runs with counts per status, filters, search by run id
 * and paging; a run's step graph, attempts, errors, tool calls, timeline and artifacts, with retry and cancel; the
 * registered graph versions. {@code /runs/{id}} and {@code /graphs} serve the same page, so links to them can be
 * shared. Pages and assets carry a Content-Security-Policy that allows scripts and styles from this server only;
 * the page renders every value as text. With an API token the page asks for it once and keeps it in the tab's
 * session storage, sending it as a bearer header (never a cookie).
 *
 * <h2>Routes</h2>
 *
 * <table>
 *   <caption>Routes and their answers</caption>
 *   <tr><th>route</th><th>answer</th></tr>
 *   <tr><td>{@code POST /api/runs}</td><td>body {@code {"graph":"research","version":1,"input":{...}}}
 *       ({@code version} optional: the newest; {@code input} optional: {@code {}}; other fields are refused),
 *       optional {@code Idempotency-Key} header. 201 with {@code Location} and the run; 200 with the same run
 *       for a repeated key and body; 409 for a repeated key with another body; 404 for an unknown graph or
 *       version; 400 for malformed JSON or fields, or an input that would not read back as sent (a number
 *       beyond the range of a double such as {@code 1e400}); 413 over the body limit; 415 unless the content
 *       type is {@code application/json}.</td></tr>
 *   <tr><td>{@code POST /api/runs/batch}</td><td>body {@code {"runs":[{"graph":...,"version":...,"input":...,
 *       "idempotencyKey":...}]}}, 1 to 1,000 runs, each as {@code POST /api/runs} takes it with its optional key
 *       as a field (the header is refused). All are created in one transaction, or none: 201 when any run was
 *       created, 200 when every one is an earlier run of the same key and body, with {@code {"runs":[{"created":
 *       true|false,"run":{...}}]}} in the request's order; a bad element is 400 naming it ({@code runs[2]: ...}),
 *       a key used for another body 409, an unknown graph 404, and then nothing is written.</td></tr>
 *   <tr><td>{@code GET /api/runs}</td><td>{@code ?status=&graph=&id=&limit=&cursor=}, newest first:
 *       {@code {"runs":[run without steps, with currentSteps...],"nextCursor":"..."|null}}. {@code currentSteps}
 *       are the run's running, retrying or failed steps {@code [{name, status, attempt}]}; {@code id} is a run id
 *       or its beginning ({@code run_} optional, any case); {@code limit} 1 to 500 (default 50), {@code status}
 *       case-insensitive; anything else is 400.</td></tr>
 *   <tr><td>{@code GET /api/run-counts}</td><td>{@code ?graph=}: {@code {"counts":{"QUEUED":n,...},"cap":10000}},
 *       the runs in each status (of one graph when given), counted up to {@code cap}: a count equal to the cap
 *       means "at least".</td></tr>
 *   <tr><td>{@code GET /api/runs/{id}}</td><td>the run with its steps</td></tr>
 *   <tr><td>{@code GET /api/runs/{id}/timeline}</td><td>{@code {"events":[{seq, at, type, step, attempt,
 *       data}]}} in order</td></tr>
 *   <tr><td>{@code GET /api/runs/{id}/artifacts}</td><td>{@code {"artifacts":[{step, key, contentType, size,
 *       createdAt}]}}</td></tr>
 *   <tr><td>{@code GET /api/runs/{id}/artifacts/{step}/{key}}</td><td>the content with its own content type
 *       (served with {@code Content-Security-Policy: sandbox}); keys reachable here match
 *       {@code [A-Za-z0-9][A-Za-z0-9._-]*}</td></tr>
 *   <tr><td>{@code GET /api/runs/{id}/tool-calls}</td><td>{@code {"toolCalls":[{step, attempt, tool, input,
 *       output, error, startedAt, durationMs}]}}</td></tr>
 *   <tr><td>{@code POST /api/runs/{id}/retry}</td><td>202 and the run; 409 unless it is FAILED</td></tr>
 *   <tr><td>{@code POST /api/runs/{id}/cancel}</td><td>202 and the run; 409 when it already finished</td></tr>
 *   <tr><td>{@code GET /api/graphs}</td><td>{@code {"graphs":[{name, version, fingerprint, unfinishedRuns,
 *       steps:[{name, dependsOn, retry:{maxAttempts, initialBackoffMs, multiplier, maxBackoffMs, jitter,
 *       nonRetryable}, timeoutMs}]}]}}</td></tr>
 *   <tr><td>{@code POST /api/jobs/run-step}</td><td>a QStash step delivery {@code {"runId","step"}}, see
 *       below</td></tr>
 *   <tr><td>{@code POST /api/jobs/step-failed}</td><td>QStash's failure callback: the step of its
 *       {@code sourceBody} is failed for good (idempotently); 200 {@code {"outcome":"failed"|"ignored"}}</td></tr>
 *   <tr><td>{@code GET /healthz}</td><td>200 {@code {"status":"ok"}}</td></tr>
 *   <tr><td>{@code GET /readyz}</td><td>200 {@code {"status":"ready"}} or 503 {@code {"status":"not_ready"}}
 *       from the readiness check</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text</td></tr>
 * </table>
 *
 * <p>A run is {@code {id, graph, version, status, input, output, createdAt, updatedAt, finishedAt, steps}} and a
 * step {@code {name, status, attempt, attemptsInBudget, dependsOn, pendingDeps, dueAt, leaseOwner, leaseUntil,
 * startedAt, finishedAt, output, error}} with {@code error} {@code {type, message, stackTrace}} or {@code null}.
 * The timeline's {@code STEP_FAILED} events carry {@code errorType}, {@code message} and {@code stackTrace} of that
 * attempt.
 *
 * <h2>Conventions</h2>
 *
 * <ul>
 *   <li>Instants are ISO-8601 strings in UTC ({@code 2026-01-30T12:00:00.123456Z}); durations are whole
 *       milliseconds in fields named {@code ...Ms}; statuses and event types are upper-case names.
 *   <li>Every documented field is always present; a missing value is {@code null}.
 *   <li>Errors are {@code {"error":{"code":"...","message":"..."}}}. Codes: {@code invalid_json},
 *       {@code invalid_request}, {@code invalid_id} (400); {@code unauthorized} (401); {@code cross_origin}
 *       (403); {@code not_found},
 *       {@code run_not_found}, {@code graph_not_found}, {@code artifact_not_found} (404);
 *       {@code idempotency_conflict}, {@code run_state_conflict} (409); {@code payload_too_large} (413);
 *       {@code unsupported_media_type} (415); {@code misdirected_request} (421);
 *       {@code internal} (500, details only in the log); {@code store_unavailable} (503); and on the job
 *       routes {@code step_busy}, {@code step_retry_scheduled} (503) and {@code step_failed},
 *       {@code run_not_found} (489).
 *   <li>With an API token, the management routes ({@code /api/runs...}, {@code /api/run-counts},
 *       {@code /api/graphs}) need {@code Authorization: Bearer <token>}; without one the server binds
 *       {@code 127.0.0.1} only and answers 421 ({@code misdirected_request}) to every request whose {@code Host} is
 *       not {@code localhost} or a loopback address, so that a web page cannot reach it by DNS rebinding. Health,
 *       metrics and the dashboard's page are open; the job routes are authenticated by their signature and are
 *       left out of the host check (QStash calls them with the public host of a tunnel or proxy).
 *   <li>The routes that change state ({@code POST /api/runs}, {@code /api/runs/batch}, {@code .../retry}, {@code .../cancel}) need
 *       {@code Content-Type: application/json} (415 {@code unsupported_media_type} otherwise), which a page of
 *       another site cannot send without a CORS preflight, and when the request has an {@code Origin} it must be the
 *       server's own (the host and port of {@code Host}) or one given to {@code Builder.trustedOrigin}: 403
 *       {@code cross_origin} otherwise.
 * </ul>
 *
 * <h2>Step deliveries</h2>
 *
 * <p>The {@code Upstash-Signature} header is verified on the raw body bytes first: a missing or invalid one is
 * 401 before anything is parsed or stored (the reason goes to the log and to
 * {@code durableruns_signature_rejections_total{reason}}). A server built without a verifier (no QStash signing
 * keys) keeps both job routes and answers every request to them with 401 (reason {@code no_verifier}, said once
 * in the start-up log rather than per request). Then the engine's outcome is mapped for QStash:
 * done, duplicate and ignored are 200 ({@code {"outcome":...}}); busy and a scheduled retry are 503 with
 * {@code Retry-After} (seconds, at least 1) so that QStash delivers again; a step failed for good is 489 with
 * {@code Upstash-NonRetryable-Error: true}. Attempts are counted by the engine, not by {@code Upstash-Retried};
 * when QStash runs out of redeliveries first, its failure callback fails the step. A signed but malformed body
 * is 400.
 */
package io.durableruns.http;
