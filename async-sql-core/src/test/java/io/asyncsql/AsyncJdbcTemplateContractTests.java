package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.IllegalTransactionStateException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link AsyncJdbcOperations} contract of {@link AsyncJdbcTemplate}, run on each
 * {@link TestDatabase}.
 */
@EachDatabase
@TestInstance(Lifecycle.PER_CLASS)
class AsyncJdbcTemplateContractTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final RowMapper<Person> PERSON = (rs, row) -> new Person(rs.getInt("id"), rs.getString("name"),
			rs.getInt("age"));

	@Parameter
	TestDatabase database;

	private final String table = TestDatabase.uniqueTableName("contract");

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	@BeforeParameterizedClassInvocation
	void startEngine() {
		if (!this.database.isAvailable()) {
			return;
		}
		this.dataSource = this.database.pool("contract", 4);
		this.engine = AsyncEngine.builder(this.dataSource).name("contract").build();
		this.template = new AsyncJdbcTemplate(this.engine);
		await(this.template.execute("create table " + this.table + " (" + this.database.identityColumn()
				+ ", name varchar(100) not null unique, age integer)"));
	}

	@AfterParameterizedClassInvocation
	void stopEngine() {
		try {
			if (this.engine != null) {
				try {
					await(this.template.execute("drop table " + this.table));
				}
				finally {
					this.engine.close();
					this.dataSource.close();
				}
			}
		}
		finally {
			// One instance serves every database: the next starts from nothing.
			this.engine = null;
			this.dataSource = null;
			this.template = null;
		}
	}

	@BeforeEach
	void emptyTable() {
		this.database.assumeAvailable();
		await(this.template.update("delete from " + this.table));
	}

	@Test
	void updateInsertsAndReturnsRowCount() {
		assertThat(this.template.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36))
			.succeedsWithin(WAIT)
			.isEqualTo(1);
		assertThat(this.template.update("update " + this.table + " set age = age + 1 where age > ?", 0))
			.succeedsWithin(WAIT)
			.isEqualTo(1);
		assertThat(names()).containsExactly("ada");
	}

	@Test
	void updateAndReturnKeyReturnsGeneratedKey() {
		Number first = await(this.template
			.updateAndReturnKey("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36));
		Number second = await(this.template
			.updateAndReturnKey("insert into " + this.table + " (name, age) values (?, ?)", "grace", 85));
		assertThat(second.longValue()).isGreaterThan(first.longValue());
		assertThat(
				this.template.queryForObject("select name from " + this.table + " where id = ?", String.class, second))
			.succeedsWithin(WAIT)
			.isEqualTo("grace");
	}

	@Test
	void batchUpdateRunsEveryArgumentRow() {
		int[] counts = await(this.template.batchUpdate("insert into " + this.table + " (name, age) values (?, ?)",
				List.of(new Object[] { "ada", 36 }, new Object[] { "grace", 85 }, new Object[] { "linus", 28 })));
		assertThat(counts).hasSize(3);
		assertThat(names()).containsExactly("ada", "grace", "linus");
	}

	@Test
	void queryMethodsMapRows() {
		insert("ada", 36);
		insert("grace", 85);
		assertThat(this.template.query("select * from " + this.table + " where age > ? order by name", PERSON, 30))
			.succeedsWithin(WAIT)
			.asInstanceOf(InstanceOfAssertFactories.list(Person.class))
			.extracting(Person::name)
			.containsExactly("ada", "grace");
		assertThat(this.template.queryForObject("select * from " + this.table + " where name = ?", PERSON, "grace"))
			.succeedsWithin(WAIT)
			.extracting(Person::age)
			.isEqualTo(85);
		assertThat(this.template.queryForObject("select count(*) from " + this.table, Integer.class))
			.succeedsWithin(WAIT)
			.isEqualTo(2);
		List<Map<String, Object>> rows = await(
				this.template.queryForList("select name, age from " + this.table + " order by age"));
		assertThat(rows).hasSize(2);
		assertThat(rows.get(0).get("name")).isEqualTo("ada");
		assertThat(((Number) rows.get(1).get("age")).intValue()).isEqualTo(85);
	}

	@Test
	void queryForObjectWithoutRowFailsWithEmptyResult() {
		assertThat(this.template.queryForObject("select age from " + this.table + " where name = ?", Integer.class,
				"nobody"))
			.failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(EmptyResultDataAccessException.class);
	}

	@Test
	void executeRunsStatementsAndCallbacks() {
		String other = TestDatabase.uniqueTableName("contract_ddl");
		await(this.template.execute("create table " + other + " (id integer)"));
		try {
			assertThat(this.template.hasTable(other)).succeedsWithin(WAIT).isEqualTo(true);
			assertThat(this.template.execute((connection) -> connection.getMetaData().getDatabaseProductName()))
				.succeedsWithin(WAIT)
				.asString()
				.containsIgnoringCase(this.database.displayName());
		}
		finally {
			await(this.template.execute("drop table " + other));
		}
		assertThat(this.template.hasTable(other)).succeedsWithin(WAIT).isEqualTo(false);
	}

	@Test
	void hasTableAndTableNamesSeeTheTable() {
		assertThat(this.template.hasTable(this.table)).succeedsWithin(WAIT).isEqualTo(true);
		assertThat(this.template.hasTable(this.table + "_missing")).succeedsWithin(WAIT).isEqualTo(false);
		assertThat(await(this.template.tableNames()))
			.anySatisfy((name) -> assertThat(name).isEqualToIgnoringCase(this.table));
	}

	@Test
	void inTransactionCommitsWhenWorkSucceeds() {
		CompletableFuture<Integer> result = this.template.inTransaction(
				(operations) -> operations.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36)
					.thenCompose((inserted) -> operations
						.update("insert into " + this.table + " (name, age) values (?, ?)", "grace", 85)));
		assertThat(result).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(names()).containsExactly("ada", "grace");
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void inTransactionRollsBackWhenWorkFails() {
		CompletableFuture<Integer> result = this.template.inTransaction(
				(operations) -> operations.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36)
					.thenCompose((inserted) -> operations
						.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 37)));
		assertThat(result).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DuplicateKeyException.class);
		assertThat(names()).isEmpty();
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void connectionCommitMakesWorkVisibleToOthers() {
		AsyncConnection connection = await(this.template.connect());
		try {
			AsyncTransaction transaction = await(connection.begin());
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36));
			assertThat(names()).isEmpty();
			assertThat(connection.queryForObject("select count(*) from " + this.table, Integer.class))
				.succeedsWithin(WAIT)
				.isEqualTo(1);
			await(transaction.commit());
			assertThat(transaction.isActive()).isFalse();
			assertThat(names()).containsExactly("ada");
		}
		finally {
			await(connection.close());
		}
	}

	@Test
	void connectionRollbackUndoesWork() {
		AsyncConnection connection = await(this.template.connect());
		try {
			AsyncTransaction transaction = await(connection.begin());
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36));
			await(transaction.rollback());
			assertThat(names()).isEmpty();
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "grace", 85));
			assertThat(names()).as("auto-commit is back after the transaction").containsExactly("grace");
		}
		finally {
			await(connection.close());
		}
	}

	@Test
	void closeRollsBackAnOpenTransaction() {
		AsyncConnection connection = await(this.template.connect());
		await(connection.begin());
		await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36));
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(names()).isEmpty();
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void closeCompletesOnceConnectionIsBackInPool() {
		for (int i = 0; i < 50; i++) {
			AsyncConnection connection = await(this.template.connect());
			await(connection.begin());
			await(connection.close());
			assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isZero();
			assertThat(this.engine.stats().active()).as("engine permits in use").isZero();
			assertThat(
					this.template.inTransaction((operations) -> operations.queryForObject("select 1", Integer.class)))
				.succeedsWithin(WAIT);
			assertThat(this.engine.stats().active()).as("engine permits in use after inTransaction").isZero();
		}
	}

	@Test
	void nestedTransactionRollbackUndoesOnlyItsOwnWork() {
		AsyncConnection connection = await(this.template.connect());
		try {
			AsyncTransaction outer = await(connection.begin());
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36));
			AsyncTransaction nested = await(connection.beginNested());
			assertThat(nested.isNested()).isTrue();
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "grace", 85));
			await(nested.rollback());
			AsyncTransaction kept = await(connection.beginNested());
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "linus", 28));
			await(kept.commit());
			await(outer.commit());
			assertThat(names()).containsExactly("ada", "linus");
		}
		finally {
			await(connection.close());
		}
	}

	@Test
	void nestedInTransactionRollsBackToItsSavepointWhenWorkFails() {
		AsyncConnection connection = await(this.template.connect());
		try {
			CompletableFuture<Integer> result = connection.inTransaction(
					(outer) -> outer.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36)
						.thenCompose(
								(inserted) -> connection
									.inTransaction((nested) -> nested
										.update("insert into " + this.table + " (name, age) values (?, ?)", "grace", 85)
										.thenCompose((again) -> nested.update(
												"insert into " + this.table + " (name, age) values (?, ?)", "ada", 1)))
									.exceptionally((failure) -> -1)));
			assertThat(result).succeedsWithin(WAIT).isEqualTo(-1);
			assertThat(names()).containsExactly("ada");
		}
		finally {
			await(connection.close());
		}
	}

	@Test
	void finishingFinishedTransactionFailsWithIllegalTransactionState() {
		AsyncConnection connection = await(this.template.connect());
		try {
			AsyncTransaction transaction = await(connection.begin());
			await(transaction.commit());
			assertThat(transaction.commit()).failsWithin(WAIT)
				.withThrowableOfType(ExecutionException.class)
				.withCauseInstanceOf(IllegalTransactionStateException.class);
			assertThat(transaction.rollback()).failsWithin(WAIT)
				.withThrowableOfType(ExecutionException.class)
				.withCauseInstanceOf(IllegalTransactionStateException.class);
			assertThat(connection.queryForObject("select count(*) from " + this.table, Integer.class))
				.succeedsWithin(WAIT)
				.isEqualTo(0);
		}
		finally {
			await(connection.close());
		}
	}

	@Test
	void duplicateKeyFailsWithDuplicateKeyException() {
		insert("ada", 36);
		assertThat(this.template.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 37))
			.failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DuplicateKeyException.class);
	}

	@Test
	void badSqlFailsWithBadSqlGrammarException() {
		assertThat(this.template.queryForList("select nope from " + this.table + "_missing")).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(BadSqlGrammarException.class);
		assertThat(this.template.execute("selekt 1")).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(BadSqlGrammarException.class);
	}

	@Test
	void argumentOfUnknownTypeFailsTheFutureAndEngineKeepsServing() {
		assertThat(this.template.update("insert into " + this.table + " (name, age) values (?, ?)", new Object(), 1))
			.failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(DataAccessException.class);
		insert("ada", 36);
		assertThat(names()).containsExactly("ada");
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void argumentsAreBoundNotConcatenated() {
		String attack = "x'); drop table " + this.table + "; --";
		insert(attack, 1);
		assertThat(this.template.queryForObject("select name from " + this.table + " where name = ?", String.class,
				attack))
			.succeedsWithin(WAIT)
			.isEqualTo(attack);
		assertThat(this.template.hasTable(this.table)).succeedsWithin(WAIT).isEqualTo(true);
	}

	private void insert(String name, int age) {
		await(this.template.update("insert into " + this.table + " (name, age) values (?, ?)", name, age));
	}

	@Test
	void streamEmitsEveryRowWithBackpressureAndReleasesTheConnection() {
		insertPeople(500);
		Flux<Person> people = JdkFlowAdapter.flowPublisherToFlux(this.template
			.stream("select id, name, age from " + this.table + " where age >= ? order by age", PERSON, 0));
		StepVerifier.create(people.limitRate(7).map(Person::age), 0)
			.thenRequest(1)
			.expectNext(0)
			.thenRequest(Long.MAX_VALUE)
			.expectNextSequence(java.util.stream.IntStream.range(1, 500).boxed().toList())
			.expectComplete()
			.verify(WAIT);
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void streamCompletesWhenTheSubscriberRequestedExactlyTheRowsThereAre() {
		insertPeople(5);
		Flux<Integer> ages = JdkFlowAdapter
			.flowPublisherToFlux(
					this.template.stream("select id, name, age from " + this.table + " order by age", PERSON))
			.map(Person::age);
		// Well before the stream's idle timeout, which is what ended such a stream
		// before.
		StepVerifier.create(ages, 2)
			.expectNext(0, 1)
			.thenRequest(3)
			.expectNext(2, 3, 4)
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		org.awaitility.Awaitility.await()
			.atMost(WAIT)
			.until(() -> this.dataSource.getHikariPoolMXBean().getActiveConnections() == 0);
	}

	@Test
	void streamCancelledMidwayReleasesTheConnection() {
		insertPeople(500);
		Flux<Person> people = JdkFlowAdapter
			.flowPublisherToFlux(this.template.stream("select id, name, age from " + this.table, PERSON));
		StepVerifier.create(people.take(3)).expectNextCount(3).expectComplete().verify(WAIT);
		org.awaitility.Awaitility.await()
			.atMost(WAIT)
			.until(() -> this.dataSource.getHikariPoolMXBean().getActiveConnections() == 0
					&& this.engine.stats().active() == 0);
		assertThat(names()).hasSize(500);
	}

	@Test
	void streamOfBadSqlSignalsBadSqlGrammarException() {
		StepVerifier
			.create(JdkFlowAdapter
				.flowPublisherToFlux(this.template.stream("select nope from " + this.table + "_missing", PERSON)))
			.expectError(BadSqlGrammarException.class)
			.verify(WAIT);
	}

	@Test
	void streamInsideATransactionSeesItsOwnRows() {
		AsyncConnection connection = await(this.template.connect());
		try {
			AsyncTransaction transaction = await(connection.begin());
			await(connection.update("insert into " + this.table + " (name, age) values (?, ?)", "ada", 36));
			Flux<String> names = JdkFlowAdapter
				.flowPublisherToFlux(connection.stream("select name from " + this.table, (rs, row) -> rs.getString(1)));
			StepVerifier.create(names).expectNext("ada").expectComplete().verify(WAIT);
			await(transaction.rollback());
		}
		finally {
			await(connection.close());
		}
		assertThat(names()).isEmpty();
	}

	private void insertPeople(int count) {
		List<Object[]> rows = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			rows.add(new Object[] { "person " + i, i });
		}
		await(this.template.batchUpdate("insert into " + this.table + " (name, age) values (?, ?)", rows));
	}

	private List<String> names() {
		return await(
				this.template.query("select name from " + this.table + " order by name", (rs, row) -> rs.getString(1)));
	}

	private static <T> T await(CompletableFuture<T> future) {
		return future.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
	}

	record Person(int id, String name, int age) {
	}

}
