package io.asyncsql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.reactor.ReactiveJdbcClient;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import io.asyncsql.transaction.AsyncTransactionAdvisor;
import io.asyncsql.transaction.AsyncTransactional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionTimedOutException;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.NoRollbackRuleAttribute;
import org.springframework.transaction.interceptor.RollbackRuleAttribute;
import org.springframework.transaction.interceptor.RuleBasedTransactionAttribute;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The contract of {@link AsyncSqlTransactionManager}: Spring's transactions,
 * {@code @Transactional} and {@link TransactionalOperator} on async-sql lanes, run
 * against each {@link TestDatabase} by a small subclass.
 */
@TestInstance(Lifecycle.PER_CLASS)
abstract class TransactionManagerContractTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final TestDatabase database;

	private final String table = TestDatabase.uniqueTableName("txm");

	private final String counters = TestDatabase.uniqueTableName("txm_counters");

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	private AsyncSqlTransactionManager manager;

	private AsyncJdbcTemplate template;

	private ReactiveJdbcTemplate jdbc;

	private ReactiveJdbcClient client;

	private JdbcTemplate blocking;

	private AnnotationConfigApplicationContext context;

	private Flows flows;

	private FutureFlows futureFlows;

	TransactionManagerContractTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeAll
	void start() {
		if (!this.database.isAvailable()) {
			return;
		}
		this.dataSource = this.database.pool("txm", 10);
		this.engine = AsyncEngine.builder(this.dataSource)
			.name("txm")
			.leakDetectionThreshold(Duration.ofSeconds(3))
			.build();
		this.manager = new AsyncSqlTransactionManager(this.engine);
		this.template = new AsyncJdbcTemplate(this.engine);
		this.jdbc = new ReactiveJdbcTemplate(this.template);
		this.client = ReactiveJdbcClient.create(this.template);
		this.blocking = new JdbcTemplate(this.dataSource);
		this.blocking.execute("create table " + this.table + " (id integer primary key, name varchar(100))");
		this.blocking.execute("create table " + this.counters + " (id integer primary key, n integer not null)");
		this.context = new AnnotationConfigApplicationContext();
		this.context.registerBean(AsyncSqlTransactionManager.class, () -> this.manager);
		this.context.registerBean(Flows.class, () -> new Flows(this.jdbc, this.table, this.counters));
		this.context.registerBean(FutureFlows.class, () -> new FutureFlows(this.template,
				AsyncJdbcClient.create(this.template), this.table, () -> this.context.getBean(FutureFlows.class)));
		this.context.registerBean(AsyncTransactionAdvisor.class, () -> new AsyncTransactionAdvisor(() -> this.template),
				(definition) -> definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE));
		this.context.register(TransactionConfiguration.class);
		this.context.refresh();
		this.flows = this.context.getBean(Flows.class);
		this.futureFlows = this.context.getBean(FutureFlows.class);
	}

	@AfterAll
	void stop() {
		if (this.engine != null) {
			try {
				this.context.close();
				this.blocking.execute("drop table " + this.table);
				this.blocking.execute("drop table " + this.counters);
			}
			finally {
				this.engine.close();
				this.dataSource.close();
			}
		}
	}

	@BeforeEach
	void clean() {
		this.database.assumeAvailable();
		this.blocking.update("delete from " + this.table);
		this.blocking.update("delete from " + this.counters);
		this.blocking.update("insert into " + this.counters + " values (1, 0)");
	}

	@Test
	void commitsWhenTheWorkCompletes() {
		Mono<Integer> work = insert(1).then(insert(2)).then(count());
		assertThat(operator().transactional(work).block(WAIT)).isEqualTo(2);
		assertThat(rows()).isEqualTo(2);
		assertIdle();
	}

	@Test
	void rollsBackWhenTheWorkFails() {
		Mono<Integer> work = insert(1).then(insert(1));
		assertThatExceptionOfType(DataAccessException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void operationsOutsideATransactionRunOnTheirOwn() {
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> insert(1).then(insert(1)).block(WAIT));
		assertThat(rows()).isEqualTo(1);
		assertIdle();
	}

	@Test
	void blockingJdbcTemplateInsideTheTransactionJoinsIt() {
		Mono<Integer> work = this.jdbc
			.execute((con) -> this.blocking.update("insert into " + this.table + " values (?, ?)", 1, "blocking"))
			.then(count())
			.flatMap((seen) -> Mono.error(new IllegalStateException("seen " + seen)));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT))
			.withMessage("seen 1");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void streamedQueryInsideTheTransactionSeesItsRows() {
		Flux<String> work = insert(1).then(insert(2))
			.thenMany(this.jdbc.query("select name from " + this.table + " order by id", (rs, i) -> rs.getString(1)));
		assertThat(operator().transactional(work).collectList().block(WAIT)).containsExactly("row-1", "row-2");
		assertIdle();
	}

	@Test
	void rollsBackWhenTheSubscriberCancelsAndStopsTheStatement() throws Exception {
		String marker = "txcancel" + UUID.randomUUID().toString().substring(0, 8);
		String longQuery = (this.database == TestDatabase.H2) ? H2.LONG_QUERY : this.database.sleepSql(60, marker);
		long before = this.engine.stats().completed();
		Disposable subscription = operator()
			.transactional(insert(1).then(this.jdbc.queryForObject(longQuery, (rs, i) -> rs.getString(1))))
			.subscribe();
		// connect, begin and insert are done: the long query is next on the lane.
		await().atMost(WAIT).until(() -> this.engine.stats().completed() >= before + 3);
		if (this.database != TestDatabase.H2) {
			try (Connection admin = this.database.connect()) {
				await().atMost(WAIT).until(() -> this.database.runningStatements(admin, marker) == 1);
				subscription.dispose();
				await().atMost(WAIT).until(() -> this.database.runningStatements(admin, marker) == 0);
			}
		}
		else {
			await().atMost(WAIT).until(() -> this.engine.stats().active() == 1);
			subscription.dispose();
		}
		assertIdle();
		assertThat(rows()).isZero();
	}

	@Test
	void reactiveClientJoinsTheTransactionAndRollsBackWithIt() {
		Mono<List<String>> work = clientInsert(1, "one").then(clientInsert(2, "two"))
			.then(this.client.sql("select name from " + this.table + " order by id").query(String.class).list())
			.flatMap((names) -> Mono.error(new IllegalStateException("fails after reading " + names)));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT))
			.withMessage("fails after reading [one, two]");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void reactiveClientStreamsTheTransactionsOwnRowsAndCommitsWithIt() {
		Flux<Integer> work = clientInsert(1, "one").then(clientInsert(2, "two"))
			.thenMany(this.client.sql("select id from " + this.table + " where name like :prefix order by id")
				.param("prefix", "t%")
				.query(Integer.class)
				.all());
		assertThat(operator().transactional(work).collectList().block(WAIT)).containsExactly(2);
		assertThat(ids()).containsExactly(1, 2);
		assertIdle();
	}

	@Test
	void reactiveClientOutsideATransactionRunsOnItsOwn() {
		assertThat(clientInsert(1, "one").block(WAIT)).isEqualTo(1);
		ReactiveJdbcClient.MappedQuerySpec<String> byId = this.client
			.sql("select name from " + this.table + " where id = ?")
			.param(1)
			.query(String.class);
		assertThat(byId.single().block(WAIT)).isEqualTo("one");
		assertThat(this.client.sql("select name from " + this.table + " where id = ?")
			.param(2)
			.query(String.class)
			.optional()
			.blockOptional(WAIT)).isEmpty();
		assertThat(rows()).isOne();
		assertIdle();
	}

	@Test
	void reactiveClientTransactionNestsInsideASpringTransaction() {
		Mono<Integer> work = clientInsert(1, "outer").then(this.client
			.inTransaction((nested) -> nested.sql("insert into " + this.table + " values (?, ?)")
				.params(2, "nested")
				.update()
				.then(Mono.<Integer>error(new IllegalStateException("nested fails"))))
			.onErrorResume(IllegalStateException.class, (failure) -> Mono.empty())
			.then(count()));
		assertThat(operator().transactional(work).block(WAIT)).isOne();
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void reactiveClientTransactionCommitsOnItsOwn() {
		Flux<Integer> work = this.client.inTransaction((tx) -> tx.sql("insert into " + this.table + " values (?, ?)")
			.params(1, "one")
			.update()
			.then(tx.sql("select count(*) from " + this.table).query(Integer.class).single()));
		assertThat(work.blockLast(WAIT)).isOne();
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void reactiveClientChecksParametersAtOnceAndPlaceholdersOnSubscription() {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.client.sql("select 1").param(1).param("name", 2));
		Mono<Integer> tooMany = this.client.sql("insert into " + this.table + " values (?, ?)")
			.params(1, "one", "extra")
			.update();
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> tooMany.block(WAIT));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void requiresNewCommitsWhileTheOuterRollsBack() {
		Mono<Integer> work = insert(1).then(operator(Propagation.REQUIRES_NEW).transactional(insert(2)))
			.then(Mono.error(new IllegalStateException("outer fails")));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT));
		assertThat(ids()).containsExactly(2);
		assertIdle();
	}

	@Test
	void requiresNewRollsBackWhileTheOuterCommits() {
		Mono<Integer> inner = operator(Propagation.REQUIRES_NEW)
			.transactional(insert(2).then(Mono.error(new IllegalStateException("inner fails"))));
		Mono<Integer> work = insert(1).then(inner.onErrorResume(IllegalStateException.class, (ex) -> Mono.just(0)));
		operator().transactional(work).block(WAIT);
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void nestedRollsBackToItsSavepointOnly() {
		Mono<Integer> nested = operator(Propagation.NESTED)
			.transactional(insert(2).then(Mono.error(new IllegalStateException("nested fails"))));
		Mono<Integer> work = insert(1).then(nested.onErrorResume(IllegalStateException.class, (ex) -> Mono.just(0)))
			.then(insert(3));
		operator().transactional(work).block(WAIT);
		assertThat(ids()).containsExactly(1, 3);
		assertIdle();
	}

	@Test
	void nestedCommitsWithTheOuter() {
		Mono<Integer> work = insert(1).then(operator(Propagation.NESTED).transactional(insert(2)));
		operator().transactional(work).block(WAIT);
		assertThat(ids()).containsExactly(1, 2);
		assertIdle();
	}

	@Test
	void requiredParticipatesAndItsFailureRollsBackTheOuter() {
		Mono<Integer> inner = operator(Propagation.REQUIRED)
			.transactional(insert(2).then(Mono.error(new IllegalStateException("inner fails"))));
		Mono<Integer> work = insert(1).then(inner.onErrorResume(IllegalStateException.class, (ex) -> Mono.just(0)));
		assertThatExceptionOfType(UnexpectedRollbackException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void supportsWithoutATransactionRunsOnItsOwn() {
		Mono<Integer> work = insert(1).then(insert(1));
		assertThatExceptionOfType(DataAccessException.class)
			.isThrownBy(() -> operator(Propagation.SUPPORTS).transactional(work).block(WAIT));
		assertThat(rows()).isEqualTo(1);
		assertIdle();
	}

	@Test
	void notSupportedRunsOutsideTheOuterTransaction() {
		Mono<Integer> work = insert(1).then(operator(Propagation.NOT_SUPPORTED).transactional(insert(2)))
			.then(Mono.error(new IllegalStateException("outer fails")));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT));
		assertThat(ids()).containsExactly(2);
		assertIdle();
	}

	@Test
	void mandatoryWithoutATransactionFails() {
		assertThatExceptionOfType(IllegalTransactionStateException.class)
			.isThrownBy(() -> operator(Propagation.MANDATORY).transactional(insert(1)).block(WAIT));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void neverInsideATransactionFails() {
		Mono<Integer> work = insert(1).then(operator(Propagation.NEVER).transactional(insert(2)));
		assertThatExceptionOfType(IllegalTransactionStateException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void isolationLevelIsAppliedAndRestored() {
		DefaultTransactionDefinition serializable = definition(Propagation.REQUIRED);
		serializable.setIsolationLevel(TransactionDefinition.ISOLATION_SERIALIZABLE);
		AsyncConnection lane = Futures.result(this.engine.connect());
		try {
			String before = Futures.result(lane.execute(this::serverIsolation));
			AsyncTransaction transaction = Futures.result(lane.begin(serializable));
			assertThat(Futures.result(lane.execute(this::serverIsolation))).isEqualTo("SERIALIZABLE");
			Futures.result(transaction.commit());
			assertThat(Futures.result(lane.execute(this::serverIsolation))).isEqualTo(before)
				.isNotEqualTo("SERIALIZABLE");
		}
		finally {
			Futures.result(lane.close());
		}
		Mono<String> seen = this.jdbc.execute(this::serverIsolation);
		assertThat(TransactionalOperator.create(this.manager, serializable).transactional(seen).block(WAIT))
			.isEqualTo("SERIALIZABLE");
		assertIdle();
	}

	@Test
	void readOnlyTransactionRefusesWritesAndTheConnectionGetsItsModeBack() {
		DefaultTransactionDefinition readOnly = definition(Propagation.REQUIRED);
		readOnly.setReadOnly(true);
		AsyncConnection lane = Futures.result(this.engine.connect());
		try {
			AsyncTransaction transaction = Futures.result(lane.begin(readOnly));
			assertThat(Futures.result(lane.execute(Connection::isReadOnly))).isTrue();
			CompletableFuture<Integer> write = lane.update("insert into " + this.table + " values (?, ?)", 1, "x");
			if (this.database != TestDatabase.H2) {
				assertThat(Futures.failure(write)).isInstanceOf(DataAccessException.class)
					.hasMessageMatching("(?is).*read.only.*");
			}
			else {
				Futures.result(write);
			}
			Futures.result(transaction.rollback());
			assertThat(Futures.result(lane.execute(Connection::isReadOnly))).isFalse();
			assertThat(Futures.result(lane.update("insert into " + this.table + " values (?, ?)", 2, "y")))
				.isEqualTo(1);
		}
		finally {
			Futures.result(lane.close());
		}
		assertThat(ids()).containsExactly(2);
		assertIdle();
	}

	@Test
	void timeoutCancelsAStatementThatRunsPastIt() {
		DefaultTransactionDefinition timed = definition(Propagation.REQUIRED);
		timed.setTimeout(1);
		String longQuery = (this.database == TestDatabase.H2) ? H2.LONG_QUERY : this.database.sleepSql(30, "txtimeout");
		Mono<String> work = insert(1).then(this.jdbc.queryForObject(longQuery, (rs, i) -> rs.getString(1)));
		assertThatExceptionOfType(StatementTimeoutException.class)
			.isThrownBy(() -> TransactionalOperator.create(this.manager, timed).transactional(work).block(WAIT))
			.withMessageContaining("transaction timeout");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void timeoutRollsBackATransactionStillOpenWhenItPasses() {
		DefaultTransactionDefinition timed = definition(Propagation.REQUIRED);
		timed.setTimeout(1);
		Mono<Integer> work = insert(1).delayUntil((inserted) -> Mono.delay(Duration.ofMillis(1500)));
		assertThatExceptionOfType(TransactionTimedOutException.class)
			.isThrownBy(() -> TransactionalOperator.create(this.manager, timed).transactional(work).block(WAIT))
			.withMessageContaining("transaction timeout");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void futureTransactionAppliesTheDefinitionsIsolationAndRestoresIt() {
		DefaultTransactionDefinition serializable = definition(Propagation.REQUIRED);
		serializable.setIsolationLevel(TransactionDefinition.ISOLATION_SERIALIZABLE);
		CompletableFuture<String> seen = this.template.inTransaction(serializable,
				(tx) -> tx.update("insert into " + this.table + " values (?, ?)", 1, "x")
					.thenCompose((inserted) -> tx.execute(this::serverIsolation)));
		assertThat(Futures.result(seen)).isEqualTo("SERIALIZABLE");
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void futureTransactionStillOpenAtItsTimeoutRollsBack() {
		DefaultTransactionDefinition timed = definition(Propagation.REQUIRED);
		timed.setTimeout(1);
		CompletableFuture<Integer> result = this.template.inTransaction(timed,
				(tx) -> tx.update("insert into " + this.table + " values (?, ?)", 1, "x")
					.thenCompose((inserted) -> new CompletableFuture<Integer>()));
		assertThat(Futures.failure(result)).isInstanceOf(StatementTimeoutException.class)
			.hasMessageContaining("transaction timeout");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void futureTransactionFollowsRollbackRules() {
		RuleBasedTransactionAttribute tolerant = new RuleBasedTransactionAttribute();
		tolerant.setRollbackRules(List.of(new NoRollbackRuleAttribute(UnsupportedOperationException.class)));
		CompletableFuture<Integer> tolerated = this.template
			.inTransaction(tolerant, (tx) -> tx.update("insert into " + this.table + " values (?, ?)", 1, "x")
				.thenCompose((inserted) -> CompletableFuture.failedFuture(new UnsupportedOperationException("kept"))));
		assertThat(Futures.failure(tolerated)).isInstanceOf(UnsupportedOperationException.class);
		RuleBasedTransactionAttribute strict = new RuleBasedTransactionAttribute();
		strict.setRollbackRules(List.of(new RollbackRuleAttribute(AuditException.class)));
		CompletableFuture<Integer> rolledBack = this.template.inTransaction(strict,
				(tx) -> tx.update("insert into " + this.table + " values (?, ?)", 2, "y")
					.thenCompose((inserted) -> CompletableFuture.failedFuture(new AuditException())));
		assertThat(Futures.failure(rolledBack)).isInstanceOf(AuditException.class);
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void futureTransactionWithMandatoryPropagationFails() {
		CompletableFuture<Integer> result = this.template.inTransaction(definition(Propagation.MANDATORY),
				(tx) -> tx.update("insert into " + this.table + " values (?, ?)", 1, "x"));
		assertThat(Futures.failure(result)).isInstanceOf(IllegalTransactionStateException.class);
		assertThat(rows()).isZero();
	}

	@Test
	void transactionalMethodCommits() {
		assertThat(this.flows.insertBoth(1, 2).block(WAIT)).isEqualTo(2);
		assertThat(ids()).containsExactly(1, 2);
		assertIdle();
	}

	@Test
	void transactionalMethodRollsBackOnARuntimeException() {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> this.flows.insertThenFail(1, new IllegalStateException("fails")).block(WAIT));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void transactionalMethodRollsBackOnItsRollbackForRule() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.flows.insertThenFailChecked(1, new AuditException()).block(WAIT))
			.withCauseInstanceOf(AuditException.class);
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void transactionalMethodCommitsOnItsNoRollbackForRule() {
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> this.flows.insertThenFailTolerated(1).block(WAIT));
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void transactionalMethodsNestAcrossBeans() {
		Mono<Integer> work = this.flows.insertBoth(1, 2)
			.then(this.flows.insertInNewTransaction(3))
			.then(Mono.error(new IllegalStateException("outer fails")));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> operator().transactional(work).block(WAIT));
		assertThat(ids()).containsExactly(3);
		assertIdle();
	}

	@Test
	void asyncTransactionalRollsBackWhenTheReturnedFutureFailsLater() {
		long start = System.nanoTime();
		CompletableFuture<Integer> future = this.futureFlows.insertThenFailLater(1);
		assertThat(Futures.failure(future)).isInstanceOf(IllegalStateException.class).hasMessage("fails later");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void asyncTransactionalJoinsOperationsOfTheBodyAndOfItsStages() {
		assertThat(Futures.result(this.futureFlows.insertTwiceAndCountInside(1))).isEqualTo(2);
		assertThat(ids()).containsExactly(1, 2);
		assertIdle();
	}

	@Test
	void asyncTransactionalRollsBackEveryJoinedOperation() {
		CompletableFuture<Integer> future = this.futureFlows.insertTwiceThenFail(1);
		assertThat(Futures.failure(future)).isInstanceOf(IllegalStateException.class).hasMessage("fails after both");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void asyncTransactionalRollsBackWhenTheCallerCancels() {
		CompletableFuture<Integer> inserted = new CompletableFuture<>();
		CompletableFuture<Void> gate = new CompletableFuture<>();
		CompletableFuture<Integer> future = this.futureFlows.insertThenWait(1, inserted, gate);
		assertThat(Futures.result(inserted)).isOne();
		assertThat(future.cancel(false)).isTrue();
		assertThat(future).isCancelled();
		gate.complete(null);
		assertIdle();
		assertThat(rows()).isZero();
	}

	@Test
	void asyncTransactionalCommitsOnItsNoRollbackForRule() {
		CompletableFuture<Integer> future = this.futureFlows.insertThenFailTolerated(1);
		assertThat(Futures.failure(future)).isInstanceOf(UnsupportedOperationException.class);
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void asyncTransactionalRequiresNewCommitsWhileTheCallersTransactionRollsBack() {
		CompletableFuture<Integer> future = this.futureFlows.insertAndInsertInNewTransactionThenFail(1, 2);
		assertThat(Futures.failure(future)).isInstanceOf(IllegalStateException.class).hasMessage("outer fails");
		assertThat(ids()).containsExactly(2);
		assertIdle();
	}

	@Test
	void asyncTransactionalMethodsTakePartInTheCallersTransaction() {
		CompletableFuture<Integer> future = this.futureFlows.insertAroundATakingPartMethodThenFail(1, 2, 3);
		assertThat(Futures.failure(future)).isInstanceOf(IllegalStateException.class).hasMessage("outer fails");
		assertThat(rows()).isZero();
		assertIdle();
	}

	@Test
	void asyncTransactionalMethodMustReturnAFuture() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.futureFlows.notAFuture())
			.withMessageContaining("must return CompletableFuture or CompletionStage");
	}

	@Test
	void operationsOutsideAnAsyncTransactionalBodyDoNotJoinIt() {
		CompletableFuture<Integer> inserted = new CompletableFuture<>();
		CompletableFuture<Void> gate = new CompletableFuture<>();
		CompletableFuture<Integer> future = this.futureFlows.insertThenWait(1, inserted, gate);
		// Started on this thread while the transaction is open: its own connection, so
		// it cannot see the uncommitted row.
		assertThat(Futures.result(inserted)).isOne();
		assertThat(Futures.result(this.template.queryForObject("select count(*) from " + this.table, Integer.class)))
			.isZero();
		gate.complete(null);
		assertThat(Futures.result(future)).isEqualTo(1);
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void requiresNewWhenOuterTransactionsHoldEveryPermitFailsClearly() {
		AsyncEngine exhausted = AsyncEngine.builder(this.dataSource)
			.name("txm-exhausted")
			.maxConcurrency(3)
			.queueTimeout(Duration.ofSeconds(1))
			.build();
		try {
			AsyncSqlTransactionManager exhaustedManager = new AsyncSqlTransactionManager(exhausted);
			ReactiveJdbcTemplate exhaustedJdbc = new ReactiveJdbcTemplate(new AsyncJdbcTemplate(exhausted));
			TransactionalOperator outer = TransactionalOperator.create(exhaustedManager);
			TransactionalOperator inner = TransactionalOperator.create(exhaustedManager,
					definition(Propagation.REQUIRES_NEW));
			// Each outer holds its permit until all three have one, and again until all
			// three inners have settled: otherwise the first inner's failure rolls back
			// its outer, and the permit it frees lets the other inners through.
			Mono<Void> allHolding = barrier(3);
			Mono<Void> allInnersSettled = barrier(3);
			List<Throwable> failures = Flux.range(1, 3)
				.flatMap((i) -> outer
					.transactional(exhaustedJdbc.update("insert into " + this.table + " values (?, ?)", i, "outer")
						.then(allHolding)
						.then(inner
							.transactional(exhaustedJdbc.update("insert into " + this.table + " values (?, ?)", i + 10,
									"inner"))
							.materialize()
							.flatMap((signal) -> allInnersSettled.thenReturn(signal))
							.dematerialize()))
					.then(Mono.<Throwable>empty())
					.onErrorResume(Mono::just))
				.collectList()
				.block(WAIT);
			assertThat(failures).hasSize(3)
				.allSatisfy((failure) -> assertThat(failure).isInstanceOf(QueueTimeoutException.class)
					.hasMessageContaining("REQUIRES_NEW")
					.hasMessageContaining("async-sql.executor.max-concurrency"));
			assertThat(rows()).isZero();
			long start = System.nanoTime();
			assertThat(Futures.result(new AsyncJdbcTemplate(exhausted).queryForObject("select 1", Integer.class)))
				.isEqualTo(1);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			await().atMost(WAIT)
				.until(() -> exhausted.stats().active() == 0
						&& this.dataSource.getHikariPoolMXBean().getActiveConnections() == 0);
		}
		finally {
			exhausted.close();
		}
	}

	@Test
	void futureTransactionsCancelledAtRandomMomentsLeakNothingAndEveryOperationIsCounted() throws Exception {
		EngineStats before = this.engine.stats();
		// Cancelled while the lane opens, the work runs, or the COMMIT waits.
		cancelAtRandomMoments((id) -> this.template
			.inTransaction((tx) -> tx.update("insert into " + this.table + " values (?, ?)", id, "cancelled")
				.thenCompose((n) -> tx.queryForObject("select count(*) from " + this.table, Integer.class))));
		assertIdle();
		await().atMost(WAIT).untilAsserted(() -> {
			EngineStats after = this.engine.stats();
			long outcomes = (after.completed() - before.completed()) + (after.failed() - before.failed())
					+ (after.rejected() - before.rejected()) + (after.cancelled() - before.cancelled());
			assertThat(outcomes).isEqualTo(after.submitted() - before.submitted());
		});
	}

	@Test
	void springTransactionsCancelledAtRandomMomentsLeakNothing() throws Exception {
		// Disposed while the lane opens or begins, the work runs, the COMMIT runs, or
		// between Spring's steps in between.
		cancelAtRandomMoments((id) -> operator().transactional(insert(id)).toFuture());
		// A transaction dropped between Spring's steps is reclaimed once collected.
		await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
			System.gc();
			return this.dataSource.getHikariPoolMXBean().getActiveConnections() == 0
					&& this.engine.stats().active() == 0;
		});
		assertIdle();
	}

	/**
	 * Start 1,500 transactions, 20 at a time, each cancelled 0 to 3 ms after it starts,
	 * and wait until every one has ended.
	 */
	private void cancelAtRandomMoments(java.util.function.IntFunction<CompletableFuture<?>> transaction)
			throws Exception {
		java.util.concurrent.ScheduledExecutorService canceller = java.util.concurrent.Executors
			.newSingleThreadScheduledExecutor();
		try {
			List<CompletableFuture<?>> ended = new java.util.ArrayList<>();
			for (int i = 0; i < 1500; i++) {
				long delayMicros = java.util.concurrent.ThreadLocalRandom.current().nextLong(0, 3000);
				CompletableFuture<?> future = transaction.apply(100_000 + i);
				canceller.schedule(() -> future.cancel(true), delayMicros, TimeUnit.MICROSECONDS);
				ended.add(future.handle((value, failure) -> null));
				if (ended.size() >= 20) {
					ended.remove(0).get(30, TimeUnit.SECONDS);
				}
			}
			for (CompletableFuture<?> future : ended) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			canceller.shutdownNow();
		}
	}

	@Test
	void statementStartedInATransactionThatHasEndedFailsInsteadOfRunningOnItsOwn() {
		// After the COMMIT, still in the transaction's context: where a step that ends
		// as its transaction is cancelled starts its next statement.
		java.util.List<Throwable> late = new java.util.concurrent.CopyOnWriteArrayList<>();
		Mono<Integer> work = insert(1)
			.flatMap((n) -> org.springframework.transaction.reactive.TransactionSynchronizationManager
				.forCurrentTransaction()
				.doOnNext((synchronizations) -> synchronizations
					.registerSynchronization(new org.springframework.transaction.reactive.TransactionSynchronization() {

						@Override
						public Mono<Void> afterCompletion(int status) {
							return insert(2)
								.then(TransactionManagerContractTests.this.client
									.sql("insert into " + TransactionManagerContractTests.this.table
											+ " values (3, 'late')")
									.update())
								.then()
								.onErrorResume((failure) -> {
									late.add(failure);
									return Mono.empty();
								});
						}

					}))
				.thenReturn(n));
		assertThat(operator().transactional(work).block(WAIT)).isOne();
		assertThat(late).hasSize(1);
		assertThat(late.get(0)).isInstanceOf(IllegalTransactionStateException.class)
			.hasMessageContaining("has already ended");
		assertThat(ids()).containsExactly(1);
		assertIdle();
	}

	@Test
	void statementStartedInTheContextOfACleanedUpTransactionFails() {
		// Where a step that completes as its transaction is disposed subscribes its
		// next statement: after Spring has cleaned the transaction up.
		java.util.concurrent.atomic.AtomicReference<reactor.util.context.ContextView> captured = new java.util.concurrent.atomic.AtomicReference<>();
		Mono<Integer> work = Mono.deferContextual((context) -> {
			captured.set(context);
			return insert(1);
		});
		assertThat(operator().transactional(work).block(WAIT)).isOne();
		assertThatExceptionOfType(IllegalTransactionStateException.class)
			.isThrownBy(() -> insert(2).contextWrite(captured.get()).block(WAIT))
			.withMessageContaining("has already ended");
		assertThatExceptionOfType(IllegalTransactionStateException.class)
			.isThrownBy(() -> this.client.sql("insert into " + this.table + " values (3, 'late')")
				.update()
				.contextWrite(captured.get())
				.block(WAIT));
		assertThat(ids()).containsExactly(1);
		// A transaction begun later in the same context replaces the ended one.
		Mono<Integer> again = Mono.deferContextual((context) -> insert(4));
		assertThat(operator().transactional(again).contextWrite(captured.get()).block(WAIT)).isOne();
		assertThat(ids()).containsExactly(1, 4);
		assertIdle();
	}

	@Test
	void springTransactionCancelledWhileItsLaneOpensLeaksNothing() {
		// Every permit held: the transaction's lane waits in the queue when it is
		// cancelled, and one that opens afterwards is closed.
		List<AsyncConnection> held = new java.util.ArrayList<>();
		for (int i = 0; i < this.engine.stats().maxConcurrency(); i++) {
			held.add(Futures.result(this.template.connect()));
		}
		Disposable transaction = operator().transactional(insert(1)).subscribe();
		await().atMost(WAIT).until(() -> this.engine.stats().queued() == 1);
		transaction.dispose();
		held.forEach(AsyncConnection::close);
		assertIdle();
		assertThat(rows()).isZero();
	}

	@Test
	void twoThousandConcurrentTransactionalFlowsAddUp() {
		long beforeOne = this.engine.stats().completed();
		assertThat(this.flows.flow(0).block(WAIT)).isEqualTo(1);
		assertIdle();
		long perFlow = this.engine.stats().completed() - beforeOne;
		this.blocking.update("delete from " + this.table);
		this.blocking.update("update " + this.counters + " set n = 0");
		EngineStats before = this.engine.stats();
		List<Integer> results = Flux.range(1, 2000)
			.flatMap((i) -> this.flows.flow(i), 2000)
			.collectList()
			.block(Duration.ofMinutes(3));
		assertThat(results).hasSize(2000).containsOnly(1);
		assertThat(rows()).isEqualTo(2000);
		assertThat(this.blocking.queryForObject("select n from " + this.counters + " where id = 1", Integer.class))
			.isEqualTo(2000);
		assertIdle();
		EngineStats after = this.engine.stats();
		assertThat(after.failed()).isEqualTo(before.failed());
		assertThat(after.rejected()).isEqualTo(before.rejected());
		assertThat(after.cancelled()).isEqualTo(before.cancelled());
		assertThat(after.completed() - before.completed()).isEqualTo(2000 * perFlow);
		assertThat(after.submitted() - before.submitted()).isEqualTo(2000 * perFlow);
	}

	/**
	 * A mono that completes for every subscriber once the given number have subscribed.
	 */
	private static Mono<Void> barrier(int parties) {
		AtomicInteger arrived = new AtomicInteger();
		CompletableFuture<Void> open = new CompletableFuture<>();
		return Mono.defer(() -> {
			if (arrived.incrementAndGet() == parties) {
				open.complete(null);
			}
			return Mono.fromFuture(open, true);
		});
	}

	private TransactionalOperator operator() {
		return TransactionalOperator.create(this.manager);
	}

	private TransactionalOperator operator(Propagation propagation) {
		return TransactionalOperator.create(this.manager, definition(propagation));
	}

	private static DefaultTransactionDefinition definition(Propagation propagation) {
		return new DefaultTransactionDefinition(propagation.value());
	}

	private Mono<Integer> insert(int id) {
		return this.jdbc.update("insert into " + this.table + " values (?, ?)", id, "row-" + id);
	}

	private Mono<Integer> clientInsert(int id, String name) {
		return this.client.sql("insert into " + this.table + " values (:id, :name)")
			.param("id", id)
			.param("name", name)
			.update();
	}

	private Mono<Integer> count() {
		return this.jdbc.queryForObject("select count(*) from " + this.table, Integer.class);
	}

	private int rows() {
		return this.blocking.queryForObject("select count(*) from " + this.table, Integer.class);
	}

	private List<Integer> ids() {
		return this.blocking.queryForList("select id from " + this.table + " order by id", Integer.class);
	}

	private String serverIsolation(Connection con) throws java.sql.SQLException {
		String sql = switch (this.database) {
			case POSTGRESQL -> "show transaction_isolation";
			case MARIADB -> "select @@session.tx_isolation";
			case H2 -> "select isolation_level from information_schema.sessions where session_id = session_id()";
		};
		try (Statement statement = con.createStatement(); ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getString(1).replace('-', ' ').replace('_', ' ').toUpperCase(java.util.Locale.ROOT);
		}
	}

	/**
	 * No connection and no permit left held.
	 */
	private void assertIdle() {
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero());
		EngineStats stats = this.engine.stats();
		assertThat(stats.active()).isZero();
		assertThat(stats.queued()).isZero();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(proxyTargetClass = true)
	static class TransactionConfiguration {

		@Bean
		Object marker() {
			return new Object();
		}

	}

	/**
	 * A checked exception that {@link Flows#insertThenFailChecked} rolls back for.
	 */
	static class AuditException extends Exception {

		private static final long serialVersionUID = 1L;

	}

	/**
	 * {@code @AsyncTransactional} methods returning futures.
	 */
	static class FutureFlows {

		private final AsyncJdbcTemplate template;

		private final AsyncJdbcClient client;

		private final String table;

		/** This bean's proxy, for calls that must go through it. */
		private final java.util.function.Supplier<FutureFlows> self;

		FutureFlows(AsyncJdbcTemplate template, AsyncJdbcClient client, String table,
				java.util.function.Supplier<FutureFlows> self) {
			this.template = template;
			this.client = client;
			this.table = table;
			this.self = self;
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertThenFailLater(int id) {
			return insert(id).thenCompose((n) -> CompletableFuture.supplyAsync(() -> {
				throw new IllegalStateException("fails later");
			}, CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS)));
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertTwiceAndCountInside(int id) {
			// The second insert and the count start in stages run as the first insert
			// completes; the count sees both rows only on the transaction's connection.
			return insert(id)
				.thenCompose((n) -> this.client.sql("insert into " + this.table + " values (:id, :name)")
					.param("id", id + 1)
					.param("name", "second")
					.update())
				.thenCompose((n) -> this.template.queryForObject("select count(*) from " + this.table, Integer.class));
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertTwiceThenFail(int id) {
			return insert(id)
				.thenCompose((n) -> this.client.sql("insert into " + this.table + " values (?, ?)")
					.params(id + 1, "second")
					.update())
				.thenCompose((n) -> {
					throw new IllegalStateException("fails after both");
				});
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertThenWait(int id, CompletableFuture<Integer> inserted,
				CompletableFuture<Void> gate) {
			return insert(id).thenCompose((n) -> {
				inserted.complete(n);
				return gate.thenApply((ignored) -> n);
			});
		}

		@AsyncTransactional(noRollbackFor = UnsupportedOperationException.class)
		public CompletableFuture<Integer> insertThenFailTolerated(int id) {
			return insert(id).thenCompose((n) -> CompletableFuture.failedFuture(new UnsupportedOperationException()));
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertAndInsertInNewTransactionThenFail(int id, int newId) {
			return insert(id).thenCompose((n) -> self().insertInNewTransaction(newId)).thenCompose((n) -> {
				throw new IllegalStateException("outer fails");
			});
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertAroundATakingPartMethodThenFail(int first, int second, int third) {
			// The last insert starts after the taking-part method's future completed:
			// it must still join the caller's transaction.
			return insert(first).thenCompose((n) -> self().insertTakingPart(second))
				.thenCompose((n) -> insert(third))
				.thenCompose((n) -> {
					throw new IllegalStateException("outer fails");
				});
		}

		@AsyncTransactional(propagation = Propagation.MANDATORY)
		public CompletableFuture<Integer> insertTakingPart(int id) {
			return insert(id);
		}

		@AsyncTransactional(propagation = Propagation.REQUIRES_NEW)
		public CompletableFuture<Integer> insertInNewTransaction(int id) {
			return insert(id);
		}

		@AsyncTransactional
		public String notAFuture() {
			return "no";
		}

		private FutureFlows self() {
			return this.self.get();
		}

		private CompletableFuture<Integer> insert(int id) {
			return this.template.update("insert into " + this.table + " values (?, ?)", id, "row-" + id);
		}

	}

	/**
	 * {@code @Transactional} methods returning Reactor types.
	 */
	static class Flows {

		private final ReactiveJdbcTemplate jdbc;

		private final String table;

		private final String counters;

		Flows(ReactiveJdbcTemplate jdbc, String table, String counters) {
			this.jdbc = jdbc;
			this.table = table;
			this.counters = counters;
		}

		@Transactional
		public Mono<Integer> insertBoth(int first, int second) {
			return insert(first).then(insert(second))
				.then(this.jdbc.queryForObject("select count(*) from " + this.table, Integer.class));
		}

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		public Mono<Integer> insertInNewTransaction(int id) {
			return insert(id);
		}

		@Transactional
		public Mono<Integer> insertThenFail(int id, RuntimeException failure) {
			return insert(id).then(Mono.error(failure));
		}

		@Transactional(rollbackFor = AuditException.class)
		public Mono<Integer> insertThenFailChecked(int id, AuditException failure) {
			return insert(id).then(Mono.error(failure));
		}

		@Transactional(noRollbackFor = UnsupportedOperationException.class)
		public Mono<Integer> insertThenFailTolerated(int id) {
			return insert(id).then(Mono.error(new UnsupportedOperationException("tolerated")));
		}

		@Transactional(isolation = Isolation.READ_COMMITTED)
		public Mono<Integer> flow(int id) {
			return insert(id).then(this.jdbc.update("update " + this.counters + " set n = n + 1 where id = 1"))
				.then(this.jdbc.queryForObject("select count(*) from " + this.table + " where id = ?", Integer.class,
						id));
		}

		private Mono<Integer> insert(int id) {
			return this.jdbc.update("insert into " + this.table + " values (?, ?)", id, "row-" + id);
		}

	}

}
