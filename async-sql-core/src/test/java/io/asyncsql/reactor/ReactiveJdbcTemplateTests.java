package io.asyncsql.reactor;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.EngineClosedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@link ReactiveJdbcTemplate} on H2.
 */
class ReactiveJdbcTemplateTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String LONG_QUERY = "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B WHERE A.X + B.X = 3";

	private HikariDataSource pool;

	private AsyncEngine engine;

	private ReactiveJdbcTemplate reactive;

	private JdbcTemplate blocking;

	@BeforeEach
	void start() {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE");
		config.setMaximumPoolSize(3);
		this.pool = new HikariDataSource(config);
		this.engine = AsyncEngine.builder(this.pool).build();
		this.reactive = new ReactiveJdbcTemplate(new AsyncJdbcTemplate(this.engine));
		this.blocking = new JdbcTemplate(this.pool);
		this.blocking.execute("create table users (id int primary key, name varchar(50))");
	}

	@AfterEach
	void stop() {
		this.engine.close();
		this.pool.close();
	}

	@Test
	void operationsAreColdUntilSubscribed() {
		Mono<Integer> insert = this.reactive.update("insert into users values (?, ?)", 1, "Dan Rydell");
		assertThat(count()).isZero();
		StepVerifier.create(insert).expectNext(1).expectComplete().verify(WAIT);
		StepVerifier.create(insert).expectError(DuplicateKeyException.class).verify(WAIT);
		assertThat(count()).isEqualTo(1);
	}

	@Test
	void queryStreamsRowsOneRequestAtATime() {
		this.blocking.update("insert into users select x, 'user ' || x from system_range(1, 20)");
		StepVerifier.create(this.reactive.query("select name from users order by id", (rs, row) -> rs.getString(1)), 0)
			.expectSubscription()
			.expectNoEvent(Duration.ofMillis(100))
			.thenRequest(1)
			.expectNext("user 1")
			.thenRequest(1)
			.expectNext("user 2")
			.thenRequest(Long.MAX_VALUE)
			.expectNextCount(18)
			.expectComplete()
			.verify(WAIT);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void queryForObjectAndExecute() {
		StepVerifier.create(this.reactive.execute("insert into users values (7, 'Casey McCall')"))
			.expectComplete()
			.verify(WAIT);
		StepVerifier.create(this.reactive.queryForObject("select name from users where id = ?", String.class, 7))
			.expectNext("Casey McCall")
			.expectComplete()
			.verify(WAIT);
		StepVerifier
			.create(this.reactive.queryForObject("select id, name from users where id = ?",
					(rs, row) -> rs.getInt(1) + " " + rs.getString(2), 7))
			.expectNext("7 Casey McCall")
			.expectComplete()
			.verify(WAIT);
		StepVerifier.create(this.reactive.queryForObject("select null", String.class)).expectComplete().verify(WAIT);
	}

	@Test
	void disposingASubscriptionCancelsTheStatement() {
		Disposable running = this.reactive.queryForObject(LONG_QUERY, Long.class).subscribe();
		await().atMost(WAIT).until(() -> executingLongQueries() == 1);
		running.dispose();
		await().atMost(WAIT).until(() -> executingLongQueries() == 0);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(this.engine.stats().cancelled()).isEqualTo(1);
	}

	@Test
	void inTransactionCommitsWhenThePublisherCompletes() {
		Flux<Integer> work = this.reactive
			.inTransaction((tx) -> tx.update("insert into users values (?, ?)", 1, "Jeremy Goodwin")
				.then(tx.update("insert into users values (?, ?)", 2, "Natalie Hurley"))
				.thenMany(tx.query("select id from users order by id", (rs, row) -> rs.getInt(1))));
		StepVerifier.create(work).expectNext(1, 2).expectComplete().verify(WAIT);
		assertThat(count()).isEqualTo(2);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void inTransactionRollsBackOnError() {
		Flux<Integer> work = this.reactive
			.inTransaction((tx) -> tx.update("insert into users values (?, ?)", 1, "Jeremy Goodwin")
				.then(tx.update("insert into users values (?, ?)", 1, "again")));
		StepVerifier.create(work).expectError(DuplicateKeyException.class).verify(WAIT);
		assertThat(count()).isZero();
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void inTransactionRollsBackWhenCancelled() {
		Flux<Object> work = this.reactive.inTransaction(
				(tx) -> tx.update("insert into users values (?, ?)", 1, "Jeremy Goodwin").thenMany(Flux.never()));
		StepVerifier.create(work)
			.expectSubscription()
			.then(() -> await().atMost(WAIT).until(() -> this.engine.stats().completed() >= 3))
			.thenCancel()
			.verify(WAIT);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(count()).isZero();
	}

	@Test
	void nestedInTransactionRollsBackToItsSavepoint() {
		Flux<Integer> work = this.reactive
			.inTransaction((outer) -> outer.update("insert into users values (?, ?)", 1, "Dana Whitaker")
				.thenMany(outer.inTransaction((inner) -> inner.update("insert into users values (?, ?)", 2, "x")
					.then(inner.update("insert into users values (?, ?)", 2, "y"))))
				.onErrorResume(DuplicateKeyException.class,
						(ex) -> outer.queryForObject("select count(*) from users", Integer.class)));
		StepVerifier.create(work).expectNext(1).expectComplete().verify(WAIT);
		assertThat(count()).isEqualTo(1);
	}

	@Test
	void missingSqlIsRejectedAtAssembly() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.reactive.update(" "));
		assertThatIllegalArgumentException().isThrownBy(() -> this.reactive.query(null, (rs, row) -> 1));
		StepVerifier.create(this.reactive.update("insert into users values (?, ?)", 1))
			.expectError(IllegalArgumentException.class)
			.verify(WAIT);
	}

	@Test
	void argumentOfUnknownTypeSignalsDataAccessExceptionAndTemplateKeepsServing() {
		StepVerifier.create(this.reactive.update("insert into users values (?, ?)", 1, new Object()))
			.expectError(DataAccessException.class)
			.verify(WAIT);
		StepVerifier
			.create(this.reactive.query("select id from users where name = ?", (rs, row) -> rs.getInt(1), new Object()))
			.expectError(DataAccessException.class)
			.verify(WAIT);
		StepVerifier.create(this.reactive.update("insert into users values (?, ?)", 1, "Dan Rydell"))
			.expectNext(1)
			.expectComplete()
			.verify(WAIT);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
	}

	@Test
	void useAfterTheEngineClosedSignalsEngineClosedAtSubscription() {
		Mono<Integer> assembledBefore = this.reactive.update("insert into users values (?, ?)", 1, "Dan Rydell");
		this.engine.close();
		Mono<Integer> update = this.reactive.update("insert into users values (?, ?)", 1, "Dan Rydell");
		Mono<String> queryForObject = this.reactive.queryForObject("select name from users", String.class);
		Flux<Integer> query = this.reactive.query("select id from users", (rs, row) -> rs.getInt(1));
		Flux<Integer> transaction = this.reactive
			.inTransaction((tx) -> tx.update("insert into users values (?, ?)", 2, "Casey McCall"));
		for (Publisher<?> closed : List.of(assembledBefore, update, queryForObject, query, transaction)) {
			StepVerifier.create(closed).expectError(EngineClosedException.class).verify(WAIT);
		}
		assertThat(count()).isZero();
	}

	private int count() {
		return this.blocking.queryForObject("select count(*) from users", Integer.class);
	}

	private int executingLongQueries() {
		return this.blocking.queryForObject(
				"select count(*) from information_schema.sessions where executing_statement like '%SYSTEM_RANGE(1, 100000) A%' and session_id <> session_id()",
				Integer.class);
	}

}
