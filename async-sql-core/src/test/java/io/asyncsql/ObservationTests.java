package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.observation.AsyncSqlObservationContext;
import io.asyncsql.observation.AsyncSqlObservationConvention;
import io.asyncsql.observation.AsyncSqlObservationDocumentation;
import io.asyncsql.observation.DefaultAsyncSqlObservationConvention;
import io.asyncsql.observation.OperationKind;
import io.asyncsql.observation.OperationOutcome;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.adapter.JdkFlowAdapter;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation is an {@code asyncsql.operation} observation, with its wait and its
 * execution as children: for each kind and each outcome, with the caller's observation as
 * parent and the execution's scope open while JDBC runs. The engine's thread mode is the
 * default, so on Java 21+ the scopes open and close on virtual threads.
 */
class ObservationTests {

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final Queue<AsyncSqlObservationContext> stopped = new ConcurrentLinkedQueue<>();

	private final HikariDataSource pool = TestDatabase.H2.pool("observations", 1);

	private final AsyncEngine engine;

	private final AsyncJdbcTemplate template;

	ObservationTests() {
		this.registry.observationConfig().observationHandler(new ObservationHandler<AsyncSqlObservationContext>() {

			@Override
			public void onStop(AsyncSqlObservationContext context) {
				ObservationTests.this.stopped.add(context);
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return context instanceof AsyncSqlObservationContext;
			}

		});
		this.engine = AsyncEngine.builder(this.pool)
			.name("observed")
			.queueCapacity(1)
			.queueTimeout(Duration.ofMillis(300))
			.observationRegistry(this.registry)
			.build();
		this.template = new AsyncJdbcTemplate(this.engine);
		Futures.result(this.template.execute("CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40))"));
		awaitOperation(OperationKind.STATEMENT);
		this.stopped.clear();
		this.registry.clear();
	}

	@AfterEach
	void close() {
		this.engine.close();
		this.pool.close();
	}

	@Test
	void statementIsObservedWithItsSqlButNeverItsArguments() {
		assertThat(Futures.result(this.template.queryForObject("SELECT ? + 1", Integer.class, 41))).isEqualTo(42);
		AsyncSqlObservationContext operation = awaitOperation(OperationKind.STATEMENT);
		assertThat(operation.getSql()).isEqualTo("SELECT ? + 1");
		assertThat(operation.getOutcome()).isEqualTo(OperationOutcome.SUCCESS);
		assertThat(operation.getWaitTime()).isNotNull();
		assertThat(operation.getExecutionTime()).isPositive();
		TestObservationRegistryAssert.assertThat(this.registry)
			.hasObservationWithNameEqualTo("asyncsql.operation")
			.that()
			.hasContextualNameEqualTo("asyncsql statement")
			.hasLowCardinalityKeyValue("asyncsql.engine", "observed")
			.hasLowCardinalityKeyValue("asyncsql.kind", "statement")
			.hasLowCardinalityKeyValue("asyncsql.outcome", "success")
			.hasHighCardinalityKeyValue("asyncsql.sql", "SELECT ? + 1")
			.hasBeenStopped();
		TestObservationRegistryAssert.assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> {
			for (Observation.Context context : contexts) {
				assertThat(context.getAllKeyValues()).noneMatch((keyValue) -> keyValue.getValue().contains("41"));
			}
		});
		assertThat(phase(operation, AsyncSqlObservationDocumentation.WAIT).getLowCardinalityKeyValues())
			.extracting("key")
			.containsExactlyInAnyOrder("asyncsql.engine", "asyncsql.kind");
		assertThat(phase(operation, AsyncSqlObservationDocumentation.EXECUTION)).isNotNull();
	}

	@Test
	void batchIsObservedAsBatch() {
		Futures.result(this.template.batchUpdate("INSERT INTO users VALUES (?, ?)",
				List.of(new Object[] { 1, "Dan" }, new Object[] { 2, "Dana" })));
		AsyncSqlObservationContext operation = awaitOperation(OperationKind.BATCH);
		assertThat(operation.getSql()).isEqualTo("INSERT INTO users VALUES (?, ?)");
		assertThat(operation.getOutcome()).isEqualTo(OperationOutcome.SUCCESS);
	}

	@Test
	void callersObservationIsParentAndExecutionIsCurrentWhileJdbcRuns() {
		Observation request = Observation.start("request", this.registry);
		AtomicReference<@Nullable Observation> currentInWork = new AtomicReference<>();
		try (Observation.Scope scope = request.openScope()) {
			Futures.result(this.engine.execute((con) -> {
				currentInWork.set(this.registry.getCurrentObservation());
				return con.isValid(1);
			}));
		}
		request.stop();
		AsyncSqlObservationContext operation = awaitOperation(OperationKind.STATEMENT);
		assertThat(operation.getParentObservation()).isSameAs(request);
		Observation inWork = currentInWork.get();
		assertThat(inWork).isNotNull();
		assertThat(inWork.getContext()).isSameAs(phase(operation, AsyncSqlObservationDocumentation.EXECUTION));
		assertThat(this.registry.getCurrentObservation()).isNull();
	}

	@Test
	void failedStatementEndsWithErrorOutcome() {
		assertThat(Futures.failure(this.template.update("INSERT INTO no_such_table VALUES (1)"))).isNotNull();
		AsyncSqlObservationContext operation = awaitOperation(OperationKind.STATEMENT);
		assertThat(operation.getOutcome()).isEqualTo(OperationOutcome.ERROR);
		assertThat(operation.getError()).isNotNull();
	}

	@Test
	void queuedOperationsEndRejectedTimedOutOrCancelled() {
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Boolean> holder = this.engine.execute((con) -> Futures.await(release));
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 1);
		CompletableFuture<Integer> timingOut = this.template.queryForObject("SELECT 1", Integer.class);
		CompletableFuture<Integer> rejected = this.template.queryForObject("SELECT 2", Integer.class);
		assertThat(Futures.failure(rejected)).isInstanceOf(EngineSaturatedException.class);
		assertThat(Futures.failure(timingOut)).isInstanceOf(QueueTimeoutException.class);
		CompletableFuture<Integer> cancelled = this.template.queryForObject("SELECT 3", Integer.class);
		cancelled.cancel(true);
		release.countDown();
		assertThat(Futures.result(holder)).isTrue();
		assertThat(awaitOperation("SELECT 1").getOutcome()).isEqualTo(OperationOutcome.QUEUE_TIMEOUT);
		assertThat(awaitOperation("SELECT 2").getOutcome()).isEqualTo(OperationOutcome.REJECTED);
		AsyncSqlObservationContext cancelledOperation = awaitOperation("SELECT 3");
		assertThat(cancelledOperation.getOutcome()).isEqualTo(OperationOutcome.CANCELLED);
		assertThat(cancelledOperation.getError()).isNull();
		assertThat(cancelledOperation.getExecutionTime()).isZero();
		assertThat(phase(cancelledOperation, AsyncSqlObservationDocumentation.EXECUTION)).isNull();
	}

	@Test
	void statementPastItsDeadlineEndsWithStatementTimeout() {
		CompletableFuture<Integer> slow = this.template.withTimeout(Duration.ofMillis(300))
			.queryForObject(H2.LONG_QUERY, Integer.class);
		assertThat(Futures.failure(slow)).isInstanceOf(StatementTimeoutException.class);
		Awaitility.await()
			.atMost(Futures.WAIT)
			.untilAsserted(() -> assertThat(awaitOperation(H2.LONG_QUERY).getOutcome())
				.isEqualTo(OperationOutcome.STATEMENT_TIMEOUT));
	}

	@Test
	void streamIsOneOperationUntilItsLastRow() {
		Futures.result(this.template.update("INSERT INTO users VALUES (1, 'Dan'), (2, 'Dana')"));
		awaitOperation(OperationKind.STATEMENT);
		this.stopped.clear();
		Flow.Publisher<String> names = this.template.stream("SELECT name FROM users ORDER BY id",
				(rs, i) -> rs.getString(1));
		StepVerifier.create(JdkFlowAdapter.flowPublisherToFlux(names))
			.expectNext("Dan", "Dana")
			.expectComplete()
			.verify(Futures.WAIT);
		AsyncSqlObservationContext stream = awaitOperation(OperationKind.STREAM);
		assertThat(stream.getSql()).isEqualTo("SELECT name FROM users ORDER BY id");
		assertThat(stream.getOutcome()).isEqualTo(OperationOutcome.SUCCESS);
		assertThat(this.stopped).filteredOn(ObservationTests::isOperation)
			.extracting(AsyncSqlObservationContext::getKind)
			.containsOnly(OperationKind.STREAM);
	}

	@Test
	void cancelledStreamEndsCancelled() {
		Flow.Publisher<Integer> numbers = this.template.stream("SELECT X FROM SYSTEM_RANGE(1, 100000)",
				(rs, i) -> rs.getInt(1));
		StepVerifier.create(JdkFlowAdapter.flowPublisherToFlux(numbers).take(3))
			.expectNextCount(3)
			.expectComplete()
			.verify(Futures.WAIT);
		assertThat(awaitOperation(OperationKind.STREAM).getOutcome()).isEqualTo(OperationOutcome.CANCELLED);
	}

	@Test
	void connectionIsParentOfItsStatements() {
		AsyncConnection connection = Futures.result(this.engine.connect());
		Futures.result(connection.update("INSERT INTO users VALUES (?, ?)", 1, "Dan"));
		Futures.result(connection.close());
		AsyncSqlObservationContext lane = awaitOperation(OperationKind.CONNECTION);
		assertThat(lane.getOutcome()).isEqualTo(OperationOutcome.SUCCESS);
		assertThat(lane.getSql()).isNull();
		AsyncSqlObservationContext statement = awaitOperation(OperationKind.STATEMENT);
		assertThat(statement.getParentObservation()).isNotNull();
		assertThat(statement.getParentObservation().getContextView())
			.isSameAs(phase(lane, AsyncSqlObservationDocumentation.EXECUTION));
	}

	@Test
	void transactionIsOneOperationWithItsStatementsAsChildren() {
		Integer inserted = Futures
			.result(this.template.inTransaction((tx) -> tx.update("INSERT INTO users VALUES (?, ?)", 1, "Dan")
				.thenCompose((first) -> tx.update("INSERT INTO users VALUES (?, ?)", 2, "Dana"))));
		assertThat(inserted).isOne();
		AsyncSqlObservationContext transaction = awaitOperation(OperationKind.TRANSACTION);
		assertThat(transaction.getOutcome()).isEqualTo(OperationOutcome.SUCCESS);
		Observation.ContextView execution = phase(transaction, AsyncSqlObservationDocumentation.EXECUTION);
		Awaitility.await()
			.atMost(Futures.WAIT)
			.untilAsserted(() -> assertThat(this.stopped).filteredOn(ObservationTests::isOperation)
				.filteredOn((context) -> context.getKind() == OperationKind.STATEMENT)
				.hasSize(2)
				.allSatisfy((statement) -> assertThat(statement.getParentObservation().getContextView())
					.isSameAs(execution)));
		assertThat(this.stopped).filteredOn(ObservationTests::isOperation)
			.extracting(AsyncSqlObservationContext::getKind)
			.doesNotContain(OperationKind.CONNECTION);
	}

	@Test
	void transactionThatFailsEndsWithError() {
		CompletableFuture<Integer> failing = this.template
			.inTransaction((tx) -> tx.update("INSERT INTO users VALUES (?, ?)", 1, "Dan")
				.thenCompose((first) -> tx.update("INSERT INTO users VALUES (?, ?)", 1, "Dan again")));
		assertThat(Futures.failure(failing)).isNotNull();
		assertThat(awaitOperation(OperationKind.TRANSACTION).getOutcome()).isEqualTo(OperationOutcome.ERROR);
	}

	@Test
	void conventionGivenToTheBuilderNamesTheOperations() {
		AsyncSqlObservationConvention convention = new DefaultAsyncSqlObservationConvention() {

			@Override
			public String getName() {
				return "db.work";
			}

		};
		try (AsyncEngine custom = AsyncEngine.builder(this.pool)
			.name("custom")
			.observationRegistry(this.registry)
			.observationConvention(convention)
			.build()) {
			Futures.result(new AsyncJdbcTemplate(custom).queryForObject("SELECT 1", Integer.class));
		}
		TestObservationRegistryAssert.assertThat(this.registry)
			.hasObservationWithNameEqualTo("db.work")
			.that()
			.hasLowCardinalityKeyValue("asyncsql.engine", "custom");
	}

	private AsyncSqlObservationContext awaitOperation(OperationKind kind) {
		return awaitOperation((context) -> context.getKind() == kind, kind.value());
	}

	private AsyncSqlObservationContext awaitOperation(String sql) {
		return awaitOperation((context) -> sql.equals(context.getSql()), sql);
	}

	private AsyncSqlObservationContext awaitOperation(java.util.function.Predicate<AsyncSqlObservationContext> which,
			String description) {
		AtomicReference<@Nullable AsyncSqlObservationContext> found = new AtomicReference<>();
		Awaitility.await().atMost(Futures.WAIT).alias("a stopped " + description + " operation").until(() -> {
			this.stopped.stream().filter(ObservationTests::isOperation).filter(which).findFirst().ifPresent(found::set);
			return found.get() != null;
		});
		return found.get();
	}

	private @Nullable AsyncSqlObservationContext phase(AsyncSqlObservationContext operation,
			AsyncSqlObservationDocumentation which) {
		return this.stopped.stream()
			.filter((context) -> context.getObservation() == which)
			.filter((context) -> parentContext(context) == operation)
			.findFirst()
			.orElse(null);
	}

	private static Observation.@Nullable ContextView parentContext(AsyncSqlObservationContext context) {
		ObservationView parent = context.getParentObservation();
		return (parent != null) ? parent.getContextView() : null;
	}

	private static boolean isOperation(AsyncSqlObservationContext context) {
		return context.getObservation() == AsyncSqlObservationDocumentation.OPERATION;
	}

}
