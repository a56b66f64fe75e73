package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.observation.AsyncSqlObservationContext;
import io.asyncsql.observation.AsyncSqlObservationDocumentation;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Coalescing of queued updates into JDBC batches ({@link AsyncEngineBuilder#batching}),
 * on every database and on PostgreSQL also with {@code reWriteBatchedInserts}: each
 * caller keeps the outcome its update would have had alone. Most tests make batching
 * deterministic with a gate: a connection holds the engine's only permit while updates
 * queue, and closing it lets one worker take them all.
 */
@ParameterizedClass(name = "{0} {1}")
@MethodSource("databases")
class CoalescingTests {

	private static final int MAX_SIZE = 16;

	private final TestDatabase database;

	private final Map<String, String> driverProperties;

	private final String table = TestDatabase.uniqueTableName("coalesce");

	private final String otherTable = TestDatabase.uniqueTableName("coalesce_other");

	private final Queue<Integer> batchSizes = new ConcurrentLinkedQueue<>();

	private HikariDataSource dataSource;

	private JdbcTemplate jdbc;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private String insert;

	CoalescingTests(TestDatabase database, Map<String, String> driverProperties) {
		this.database = database;
		this.driverProperties = driverProperties;
	}

	static Stream<Arguments> databases() {
		return Stream.of(Arguments.of(TestDatabase.H2, Map.of()), Arguments.of(TestDatabase.POSTGRESQL, Map.of()),
				Arguments.of(TestDatabase.POSTGRESQL, Map.of("reWriteBatchedInserts", "true")),
				Arguments.of(TestDatabase.MARIADB, Map.of()));
	}

	@BeforeEach
	void createTablesAndEngine() {
		this.database.assumeAvailable();
		// Two connections: the engine's one permit, and one for the test to look or lock.
		this.dataSource = this.database.pool("coalesce", 2,
				(config) -> this.driverProperties.forEach(config::addDataSourceProperty));
		this.jdbc = new JdbcTemplate(this.dataSource);
		for (String name : List.of(this.table, this.otherTable)) {
			this.jdbc.execute("create table " + name + " (id integer primary key, name varchar(40))");
		}
		this.insert = "insert into " + this.table + " (id, name) values (?, ?)";
		this.engine = engine(true, null);
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	private AsyncEngine engine(boolean batching, ObservationRegistry registry) {
		return AsyncEngine.builder(this.dataSource)
			.name("coalesce")
			.maxConcurrency(1)
			.batching(batching)
			.batchMaxSize(MAX_SIZE)
			.observationRegistry(registry)
			.listener(new AsyncEngineListener() {

				@Override
				public void batchExecuted(int size) {
					CoalescingTests.this.batchSizes.add(size);
				}

			})
			.build();
	}

	@AfterEach
	void stopEngineAndDropTables() {
		if (this.dataSource == null) {
			return;
		}
		try {
			if (this.engine != null) {
				awaitIdle(this.engine);
				this.engine.close();
			}
		}
		finally {
			for (String name : List.of(this.table, this.otherTable)) {
				this.jdbc.execute("drop table " + name);
			}
			this.dataSource.close();
		}
	}

	@Test
	void concurrentSingleRowInsertsEachCountOneAndRunInBatches() throws Exception {
		int threads = 8;
		int perThread = 500;
		ExecutorService callers = Executors.newFixedThreadPool(threads);
		try {
			List<Future<List<CompletableFuture<Integer>>>> submitted = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int first = t * perThread;
				submitted.add(callers.submit(() -> {
					List<CompletableFuture<Integer>> futures = new ArrayList<>(perThread);
					for (int id = first; id < first + perThread; id++) {
						futures.add(this.template.update(this.insert, id, "row " + id));
					}
					return futures;
				}));
			}
			for (Future<List<CompletableFuture<Integer>>> batch : submitted) {
				for (CompletableFuture<Integer> future : batch.get()) {
					assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1);
				}
			}
		}
		finally {
			callers.shutdown();
		}
		assertThat(rows(this.table)).isEqualTo(threads * perThread);
		assertThat(this.jdbc.queryForObject("select count(distinct id) from " + this.table, Integer.class))
			.isEqualTo(threads * perThread);
		EngineStats stats = this.engine.stats();
		assertThat(stats.batches()).isPositive();
		assertThat(stats.batchedOperations()).isLessThanOrEqualTo(threads * perThread);
		assertThat(this.batchSizes).allSatisfy((size) -> assertThat(size).isBetween(2, MAX_SIZE));
		assertThat(this.batchSizes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(stats.batchedOperations());
	}

	@Test
	void queuedUpdatesRunAsOneBatchWhenAPermitFrees() {
		List<CompletableFuture<Integer>> futures = gated(10, (id) -> this.template.update(this.insert, id, "row"));

		assertThat(futures).allSatisfy((future) -> assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1));
		assertThat(this.batchSizes).containsExactly(10);
		assertThat(this.engine.stats().batches()).isEqualTo(1);
		assertThat(this.engine.stats().batchedOperations()).isEqualTo(10);
		assertThat(rows(this.table)).isEqualTo(10);
	}

	@Test
	void batchesNeverExceedTheMaximumSize() {
		List<CompletableFuture<Integer>> futures = gated(MAX_SIZE * 2 + 3,
				(id) -> this.template.update(this.insert, id, "row"));

		assertThat(futures).allSatisfy((future) -> assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1));
		assertThat(this.batchSizes).containsExactly(MAX_SIZE, MAX_SIZE, 3);
	}

	@Test
	void rowBreakingAUniqueKeyFailsOnlyItsOwnCaller() {
		this.jdbc.update(this.insert, 5, "already there");

		List<CompletableFuture<Integer>> futures = gated(10, (id) -> this.template.update(this.insert, id, "row"));

		for (int id = 0; id < 10; id++) {
			if (id == 5) {
				assertThat(Futures.failure(futures.get(id))).isInstanceOf(DuplicateKeyException.class);
			}
			else {
				assertThat(futures.get(id)).succeedsWithin(Futures.WAIT).isEqualTo(1);
			}
		}
		assertThat(this.batchSizes).containsExactly(10);
		assertThat(rows(this.table)).isEqualTo(10);
		assertThat(this.jdbc.queryForObject("select name from " + this.table + " where id = 5", String.class))
			.isEqualTo("already there");
		assertThat(this.engine.stats().failed()).isEqualTo(1);
	}

	@Test
	void twoCallersInsertingTheSameKeyInOneBatchLeaveTheFirstOneIn() {
		List<CompletableFuture<Integer>> futures = gated(4,
				(n) -> this.template.update(this.insert, (n < 2) ? n : 7, "caller " + n));

		assertThat(futures.get(0)).succeedsWithin(Futures.WAIT).isEqualTo(1);
		assertThat(futures.get(1)).succeedsWithin(Futures.WAIT).isEqualTo(1);
		assertThat(futures.get(2)).succeedsWithin(Futures.WAIT).isEqualTo(1);
		assertThat(Futures.failure(futures.get(3))).isInstanceOf(DuplicateKeyException.class);
		assertThat(this.jdbc.queryForObject("select name from " + this.table + " where id = 7", String.class))
			.isEqualTo("caller 2");
		assertThat(rows(this.table)).isEqualTo(3);
	}

	@Test
	void eachCallerGetsItsOwnUpdateCount() {
		for (int id = 0; id < 10; id++) {
			this.jdbc.update(this.insert, id, "before");
		}
		String sql = "update " + this.table + " set name = ? where id >= ? and id < ?";

		// Caller n updates ids [2n, 2n + n % 3): 0, 1 or 2 rows, or none past the end.
		List<CompletableFuture<Integer>> futures = gated(8,
				(n) -> this.template.update(sql, "after", 2 * n, 2 * n + n % 3));

		for (int n = 0; n < 8; n++) {
			int expected = (2 * n >= 10) ? 0 : Math.min(n % 3, 10 - 2 * n);
			assertThat(futures.get(n)).as("caller %d", n).succeedsWithin(Futures.WAIT).isEqualTo(expected);
		}
		assertThat(this.batchSizes).containsExactly(8);
	}

	@Test
	void insertThatMayInsertNothingGetsItsTrueCount() {
		Assumptions.assumeTrue(this.database != TestDatabase.H2, "H2 has no insert that may insert nothing");
		this.jdbc.update(this.insert, 5, "already there");
		String sql = (this.database == TestDatabase.MARIADB)
				? "insert ignore into " + this.table + " (id, name) values (?, ?)"
				: this.insert + " on conflict do nothing";

		List<CompletableFuture<Integer>> futures = gated(8, (id) -> this.template.update(sql, id, "row"));

		for (int id = 0; id < 8; id++) {
			assertThat(futures.get(id)).as("id %d", id).succeedsWithin(Futures.WAIT).isEqualTo((id == 5) ? 0 : 1);
		}
		assertThat(this.batchSizes).containsExactly(8);
		assertThat(rows(this.table)).isEqualTo(8);
	}

	@Test
	void oneCallerAtATimeNeverBatches() {
		for (int id = 0; id < 50; id++) {
			assertThat(this.template.update(this.insert, id, "row")).succeedsWithin(Futures.WAIT).isEqualTo(1);
		}
		assertThat(this.engine.stats().batches()).isZero();
		assertThat(this.batchSizes).isEmpty();
	}

	@Test
	void withoutBatchingQueuedUpdatesRunOneByOne() {
		this.engine.close();
		this.engine = engine(false, null);
		this.template = new AsyncJdbcTemplate(this.engine);

		List<CompletableFuture<Integer>> futures = gated(10, (id) -> this.template.update(this.insert, id, "row"));

		assertThat(futures).allSatisfy((future) -> assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1));
		assertThat(this.engine.stats().batches()).isZero();
		assertThat(this.batchSizes).isEmpty();
	}

	@Test
	void updatesCancelledWhileQueuedAreNotTaken() {
		List<CompletableFuture<Integer>> futures = gated(10, (id) -> this.template.update(this.insert, id, "row"),
				(queued) -> {
					assertThat(queued.get(3).cancel(false)).isTrue();
					assertThat(queued.get(7).cancel(false)).isTrue();
				});

		for (int id = 0; id < 10; id++) {
			if (id == 3 || id == 7) {
				assertThat(futures.get(id)).isCancelled();
			}
			else {
				assertThat(futures.get(id)).succeedsWithin(Futures.WAIT).isEqualTo(1);
			}
		}
		assertThat(this.batchSizes).containsExactly(8);
		assertThat(ids(this.table)).doesNotContain(3, 7).hasSize(8);
		assertThat(this.engine.stats().cancelled()).isEqualTo(2);
	}

	@Test
	void updatesWhoseDeadlinePassedWhileQueuedFailAsAloneAndAreNotTaken() {
		AsyncJdbcTemplate hurried = this.template.withTimeout(Duration.ofMillis(200));
		List<CompletableFuture<Integer>> futures = gated(6,
				(id) -> ((id % 2 == 0) ? hurried : this.template).update(this.insert, id, "row"),
				(queued) -> await().atMost(Futures.WAIT)
					.until(() -> queued.get(0).isDone() && queued.get(2).isDone() && queued.get(4).isDone()));

		for (int id = 0; id < 6; id++) {
			if (id % 2 == 0) {
				assertThat(Futures.failure(futures.get(id))).isInstanceOf(QueueTimeoutException.class);
			}
			else {
				assertThat(futures.get(id)).succeedsWithin(Futures.WAIT).isEqualTo(1);
			}
		}
		assertThat(ids(this.table)).containsExactlyInAnyOrder(1, 3, 5);
		assertThat(this.batchSizes).containsExactly(3);
	}

	@Test
	void memberPastItsDeadlineWhileTheBatchRunsFailsAloneAndTheOthersRunAgain() throws SQLException {
		AsyncJdbcTemplate hurried = this.template.withTimeout(Duration.ofMillis(600));
		try (Connection locker = lockKey(5)) {
			List<CompletableFuture<Integer>> futures = gated(8,
					(id) -> ((id == 5) ? hurried : this.template).update(this.insert, id, "row"));

			assertThat(Futures.failure(futures.get(5))).isInstanceOf(StatementTimeoutException.class);
			for (int id = 0; id < 8; id++) {
				if (id != 5) {
					assertThat(futures.get(id)).succeedsWithin(Futures.WAIT).isEqualTo(1);
				}
			}
			locker.rollback();
		}
		assertThat(this.batchSizes).containsExactly(8);
		assertThat(ids(this.table)).doesNotContain(5).hasSize(7);
	}

	@Test
	void memberCancelledWhileTheBatchRunsTellsTheTruth() throws SQLException {
		boolean cancelled;
		List<CompletableFuture<Integer>> futures;
		try (Connection locker = lockKey(5)) {
			futures = gated(8, (id) -> this.template.update(this.insert, id, "row"));
			await().atMost(Futures.WAIT).until(() -> !this.batchSizes.isEmpty());
			cancelled = futures.get(5).cancel(true);
			locker.rollback();
		}
		for (int id = 0; id < 8; id++) {
			if (id != 5) {
				assertThat(futures.get(id)).succeedsWithin(Futures.WAIT).isEqualTo(1);
			}
		}
		Throwable failure = Futures.failure(futures.get(5));
		if (cancelled) {
			assertThat(failure).isInstanceOf(CancellationException.class);
			assertThat(ids(this.table)).doesNotContain(5).hasSize(7);
		}
		else {
			assertThat(failure).isNull();
			assertThat(ids(this.table)).contains(5).hasSize(8);
		}
	}

	@Test
	void updatesOfDifferentSqlRunInBatchesOfTheirOwn() {
		String other = "insert into " + this.otherTable + " (id, name) values (?, ?)";
		List<CompletableFuture<Integer>> futures = gated(10,
				(id) -> this.template.update((id % 2 == 0) ? this.insert : other, id, "row"));

		assertThat(futures).allSatisfy((future) -> assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1));
		assertThat(this.batchSizes).containsExactly(5, 5);
		assertThat(ids(this.table)).containsExactlyInAnyOrder(0, 2, 4, 6, 8);
		assertThat(ids(this.otherTable)).containsExactlyInAnyOrder(1, 3, 5, 7, 9);
	}

	@Test
	void clientUpdatesWithNamedOrPositionalParametersJoinTheTemplatesBatch() {
		AsyncJdbcClient client = AsyncJdbcClient.create(this.template);
		String named = "insert into " + this.table + " (id, name) values (:id, :name)";
		List<CompletableFuture<Integer>> futures = gated(9, (id) -> switch (id % 3) {
			case 0 -> client.sql(named).param("id", id).param("name", "named").update();
			case 1 -> client.sql(this.insert).params(id, "positional").update();
			default -> this.template.update(this.insert, id, "template");
		});

		assertThat(futures).allSatisfy((future) -> assertThat(future).succeedsWithin(Futures.WAIT).isEqualTo(1));
		assertThat(this.batchSizes).containsExactly(9);
		assertThat(this.jdbc.queryForObject("select name from " + this.table + " where id = 3", String.class))
			.isEqualTo("named");
	}

	@Test
	void updatesReturningKeysAreNeverCoalesced() {
		String keyed = TestDatabase.uniqueTableName("coalesce_keyed");
		this.jdbc.execute("create table " + keyed + " (" + this.database.identityColumn() + ", name varchar(40))");
		try {
			String sql = "insert into " + keyed + " (name) values (?)";
			List<CompletableFuture<Integer>> futures = gated(5,
					(n) -> this.template.updateAndReturnKey(sql, "row " + n).thenApply(Number::intValue));

			assertThat(futures.stream().map(Futures::result).distinct()).hasSize(5);
			assertThat(this.engine.stats().batches()).isZero();
		}
		finally {
			this.jdbc.execute("drop table " + keyed);
		}
	}

	@Test
	void updatesInATransactionAreNeverCoalesced() {
		CompletableFuture<Integer> transaction = this.template.inTransaction((tx) -> {
			List<CompletableFuture<Integer>> updates = new ArrayList<>();
			for (int id = 0; id < 5; id++) {
				updates.add(tx.update(this.insert, id, "in a transaction"));
			}
			return CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new))
				.thenApply((done) -> updates.stream().mapToInt(CompletableFuture::join).sum());
		});

		assertThat(transaction).succeedsWithin(Futures.WAIT).isEqualTo(5);
		assertThat(this.engine.stats().batches()).isZero();
	}

	@Test
	void eachCoalescedOperationIsObservedWithItsBatchSize() {
		Queue<AsyncSqlObservationContext> stopped = new ConcurrentLinkedQueue<>();
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public boolean supportsContext(Observation.Context context) {
				return context instanceof AsyncSqlObservationContext;
			}

			@Override
			public void onStop(Observation.Context context) {
				stopped.add((AsyncSqlObservationContext) context);
			}

		});
		this.engine.close();
		this.engine = engine(true, registry);
		this.template = new AsyncJdbcTemplate(this.engine);
		this.jdbc.update(this.insert, 2, "already there");

		List<CompletableFuture<Integer>> futures = gated(4, (id) -> this.template.update(this.insert, id, "row"));
		futures.forEach(Futures::failure);

		// An observation stops in a stage of its future, which may run just after the
		// future is seen done.
		await().atMost(Futures.WAIT).until(() -> stopped.stream().filter(this::isInsert).count() == 4);
		List<AsyncSqlObservationContext> updates = stopped.stream().filter(this::isInsert).toList();
		assertThat(updates).hasSize(4)
			.allSatisfy((context) -> assertThat(context.getHighCardinalityKeyValue("asyncsql.batch.size"))
				.extracting(KeyValue::getValue)
				.isEqualTo("4"));
		assertThat(updates).extracting((context) -> context.getLowCardinalityKeyValue("asyncsql.outcome").getValue())
			.containsExactlyInAnyOrder("success", "success", "error", "success");
	}

	private boolean isInsert(AsyncSqlObservationContext context) {
		return context.getObservation() == AsyncSqlObservationDocumentation.OPERATION
				&& this.insert.equals(context.getSql());
	}

	/**
	 * Queue one update per number while a connection holds the engine's only permit, then
	 * free the permit: one worker finds them all queued.
	 */
	private List<CompletableFuture<Integer>> gated(int count, Function<Integer, CompletableFuture<Integer>> update) {
		return gated(count, update, (queued) -> {
		});
	}

	private List<CompletableFuture<Integer>> gated(int count, Function<Integer, CompletableFuture<Integer>> update,
			java.util.function.Consumer<List<CompletableFuture<Integer>>> whileQueued) {
		AsyncConnection gate = Futures.result(this.engine.connect());
		List<CompletableFuture<Integer>> futures = new ArrayList<>(count);
		for (int n = 0; n < count; n++) {
			futures.add(update.apply(n));
		}
		assertThat(this.engine.stats().queued()).isEqualTo(count);
		whileQueued.accept(futures);
		assertThat(gate.close()).succeedsWithin(Futures.WAIT);
		return futures;
	}

	/**
	 * Insert a key in a transaction left open, so that a batch inserting it waits.
	 */
	private Connection lockKey(int id) throws SQLException {
		Connection locker = this.dataSource.getConnection();
		locker.setAutoCommit(false);
		try (Statement statement = locker.createStatement()) {
			statement.executeUpdate("insert into " + this.table + " (id, name) values (" + id + ", 'locker')");
		}
		return locker;
	}

	private int rows(String name) {
		return this.jdbc.queryForObject("select count(*) from " + name, Integer.class);
	}

	private List<Integer> ids(String name) {
		return this.jdbc.queryForList("select id from " + name, Integer.class);
	}

	private void awaitIdle(AsyncEngine engine) {
		await().atMost(Futures.WAIT).untilAsserted(() -> {
			EngineStats stats = engine.stats();
			assertThat(stats.active()).isZero();
			assertThat(stats.queued()).isZero();
			assertThat(stats.completed() + stats.failed() + stats.rejected() + stats.cancelled())
				.isEqualTo(stats.submitted());
			assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
		});
	}

}
