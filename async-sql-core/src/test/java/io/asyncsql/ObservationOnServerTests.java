package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.asyncsql.observation.AsyncSqlObservationContext;
import io.asyncsql.observation.AsyncSqlObservationDocumentation;
import io.asyncsql.observation.OperationKind;
import io.asyncsql.observation.OperationOutcome;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Observations of statements that a server stops: cancelled while running, past their
 * deadline, failing inside a transaction; runs on each server database.
 */
@EachServerDatabase
class ObservationOnServerTests {

	private final TestDatabase database;

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final Queue<AsyncSqlObservationContext> stopped = new ConcurrentLinkedQueue<>();

	private final String marker = "asyncsql-observed-" + UUID.randomUUID().toString().substring(0, 8);

	private EngineFixture fixture;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	ObservationOnServerTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void start() {
		this.database.assumeAvailable();
		this.registry.observationConfig().observationHandler(new ObservationHandler<AsyncSqlObservationContext>() {

			@Override
			public void onStop(AsyncSqlObservationContext context) {
				ObservationOnServerTests.this.stopped.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return context instanceof AsyncSqlObservationContext;
			}

		});
		this.fixture = EngineFixture.start(this.database, "observed", 2,
				(engine) -> engine.observationRegistry(this.registry));
		this.engine = this.fixture.engine();
		this.template = this.fixture.template();
	}

	@AfterEach
	void stop() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void runningStatementCancelledEndsCancelledAfterItRan() {
		CompletableFuture<List<Map<String, Object>>> sleeping = this.template
			.queryForList(this.database.sleepSql(60, this.marker));
		await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 1);
		await().atMost(Futures.WAIT)
			.until(() -> !this.stopped.isEmpty() && this.stopped.stream()
				.anyMatch((c) -> c.getObservation() == AsyncSqlObservationDocumentation.WAIT));
		sleeping.cancel(true);
		AsyncSqlObservationContext operation = awaitOperation(OperationKind.STATEMENT);
		assertThat(operation.getOutcome()).isEqualTo(OperationOutcome.CANCELLED);
		assertThat(operation.getError()).isNull();
		assertThat(operation.getExecutionTime()).isPositive();
		// The statement stops at the server and its execution ends.
		await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 0);
		assertThat(this.stopped).filteredOn((c) -> c.getObservation() == AsyncSqlObservationDocumentation.EXECUTION)
			.hasSize(1);
	}

	@Test
	void statementPastItsDeadlineEndsWithStatementTimeout() {
		String sql = this.database.sleepSql(60, this.marker);
		CompletableFuture<List<Map<String, Object>>> sleeping = this.template.withTimeout(Duration.ofSeconds(1))
			.queryForList(sql);
		assertThat(Futures.failure(sleeping)).isInstanceOf(StatementTimeoutException.class);
		AsyncSqlObservationContext operation = awaitOperation(OperationKind.STATEMENT);
		assertThat(operation.getOutcome()).isEqualTo(OperationOutcome.STATEMENT_TIMEOUT);
		assertThat(operation.getSql()).isEqualTo(sql);
		assertThat(operation.getExecutionTime()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
	}

	@Test
	void transactionWhoseStatementFailsEndsWithErrorAndHoldsItsStatements() {
		CompletableFuture<Integer> failing = this.template.inTransaction((tx) -> tx
			.queryForObject("select 1", Integer.class)
			.thenCompose(
					(one) -> tx.update("insert into no_such_table_" + this.marker.replace('-', '_') + " values (1)")));
		assertThat(Futures.failure(failing)).isNotNull();
		AsyncSqlObservationContext transaction = awaitOperation(OperationKind.TRANSACTION);
		assertThat(transaction.getOutcome()).isEqualTo(OperationOutcome.ERROR);
		assertThat(this.stopped)
			.filteredOn((c) -> c.getObservation() == AsyncSqlObservationDocumentation.OPERATION
					&& c.getKind() == OperationKind.STATEMENT)
			.extracting(AsyncSqlObservationContext::getOutcome)
			.containsExactlyInAnyOrder(OperationOutcome.SUCCESS, OperationOutcome.ERROR);
	}

	private AsyncSqlObservationContext awaitOperation(OperationKind kind) {
		return await().atMost(Futures.WAIT)
			.until(() -> this.stopped.stream()
				.filter((c) -> c.getObservation() == AsyncSqlObservationDocumentation.OPERATION)
				.filter((c) -> c.getKind() == kind)
				.findFirst()
				.orElse(null), (found) -> found != null);
	}

}
