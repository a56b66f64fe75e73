package io.asyncsql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.adapter.JdkFlowAdapter;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.RowMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reader on a real PostgreSQL streaming replica ({@link TestReplica}): the read-only
 * views run there and everything else on the primary, writes sent there fail, reads
 * beyond its capacity or past a staleness bound move to the primary only as configured,
 * and stopping the replica under load completes every future.
 */
class ReadReplicaTests {

	private static final int READER_PERMITS = 2;

	private final String table = TestDatabase.uniqueTableName("replica");

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private HikariDataSource primaryPool;

	private AsyncEngine primary;

	@BeforeEach
	void createTable() throws SQLException {
		TestReplica.assumeAvailable();
		this.primaryPool = TestDatabase.POSTGRESQL.pool("replica-tests-primary", 4);
		this.primary = AsyncEngine.builder(this.primaryPool).name("primary").build();
		Futures.result(new AsyncJdbcTemplate(this.primary)
			.execute("create table " + this.table + " (id serial primary key, name varchar(50))"));
		TestReplica.awaitCaughtUp();
	}

	@AfterEach
	void dropTable() {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			try {
				this.closeables.get(i).close();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}
		if (this.primary != null) {
			Futures.failure(new AsyncJdbcTemplate(this.primary).execute("drop table if exists " + this.table));
			this.primary.close();
			this.primaryPool.close();
		}
	}

	private AsyncJdbcTemplate template(ReadReplica.Builder replica) {
		return new AsyncJdbcTemplate(this.primary).withReplica(replica.build());
	}

	private ReadReplica.Builder reader(int queueCapacity) {
		HikariDataSource pool = TestReplica.pool("replica-tests-reader", READER_PERMITS,
				(config) -> config.setConnectionTimeout(1000));
		AsyncEngine engine = AsyncEngine.builder(pool).name("reader").queueCapacity(queueCapacity).build();
		this.closeables.add(pool);
		this.closeables.add(engine);
		return ReadReplica.builder(engine);
	}

	@Test
	void readOnlyViewsRunOnTheReaderAndEverythingElseOnThePrimary() {
		AsyncJdbcTemplate template = template(reader(100));
		AsyncJdbcClient client = AsyncJdbcClient.create(template);
		String inRecovery = "select pg_is_in_recovery()";
		assertThat(Futures.result(template.queryForObject(inRecovery, Boolean.class))).isFalse();
		assertThat(Futures.result(template.readOnly().queryForObject(inRecovery, Boolean.class))).isTrue();
		assertThat(Futures.result(client.sql(inRecovery).query(Boolean.class).single())).isFalse();
		assertThat(Futures.result(client.readOnly().sql(inRecovery).query(Boolean.class).single())).isTrue();
		CompletableFuture<Boolean> inTransaction = template.readOnly()
			.inTransaction((tx) -> tx.queryForObject(inRecovery, Boolean.class));
		assertThat(Futures.result(inTransaction)).isTrue();
		CompletableFuture<Boolean> clientInTransaction = client.readOnly()
			.inTransaction((tx) -> tx.sql(inRecovery).query(Boolean.class).single());
		assertThat(Futures.result(clientInTransaction)).isTrue();
		RowMapper<Boolean> first = (rs, i) -> rs.getBoolean(1);
		Flow.Publisher<Boolean> stream = template.readOnly().stream(inRecovery, first);
		assertThat(JdkFlowAdapter.flowPublisherToFlux(stream).collectList().block(Futures.WAIT)).containsExactly(true);
		assertThat(template.readOnly().getEngine().getName()).isEqualTo("reader");
		assertThat(template.getEngine().getName()).isEqualTo("primary");
	}

	@Test
	void rowWrittenOnThePrimaryBecomesReadableOnTheReader() {
		AsyncJdbcTemplate template = template(reader(100));
		Futures.result(template.update("insert into " + this.table + " (name) values (?)", "Dana Whitaker"));
		await().atMost(Futures.WAIT)
			.until(() -> Futures.result(
					template.readOnly().queryForList("select name from " + this.table + " where pg_is_in_recovery()")),
					(rows) -> rows.size() == 1 && "Dana Whitaker".equals(rows.get(0).get("name")));
	}

	@Test
	void writeThroughTheReadOnlyViewFailsWithTheReadOnlyErrorEvenWithFallback() {
		AsyncJdbcTemplate template = template(reader(100).fallbackToPrimary(true));
		Throwable failure = Futures
			.failure(template.readOnly().update("insert into " + this.table + " (name) values (?)", "Casey McCall"));
		assertThat(failure).isInstanceOf(DataAccessException.class)
			.hasMessageContaining("read-only transaction")
			.hasRootCauseInstanceOf(SQLException.class);
		assertThat(((SQLException) ((DataAccessException) failure).getRootCause()).getSQLState()).isEqualTo("25006");
		Throwable inTransaction = Futures.failure(template.readOnly()
			.inTransaction((tx) -> tx.update("insert into " + this.table + " (name) values (?)", "Casey McCall")));
		assertThat(inTransaction).isInstanceOf(DataAccessException.class).hasMessageContaining("read-only transaction");
		assertThat(Futures.result(template.queryForObject("select count(*) from " + this.table, Integer.class)))
			.isZero();
	}

	@ParameterizedTest(name = "fallback to the primary: {0}")
	@ValueSource(booleans = { true, false })
	void readsBeyondTheReadersQueueRunOnThePrimaryOnlyWithFallback(boolean fallback) {
		ReadReplica.Builder reader = reader(4).fallbackToPrimary(fallback);
		AsyncJdbcTemplate template = template(reader);
		List<CompletableFuture<Boolean>> reads = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			reads.add(template.readOnly()
				.queryForObject("select pg_is_in_recovery() from pg_sleep(0.005)", Boolean.class));
		}
		List<Boolean> onReader = new ArrayList<>();
		List<Throwable> failures = new ArrayList<>();
		for (CompletableFuture<Boolean> read : reads) {
			Throwable failure = Futures.failure(read);
			if (failure != null) {
				failures.add(failure);
			}
			else {
				onReader.add(read.getNow(null));
			}
		}
		assertThat(template.readOnly().getEngine().stats().rejected()).isPositive();
		if (fallback) {
			assertThat(failures).isEmpty();
			assertThat(onReader).contains(true, false);
		}
		else {
			assertThat(failures).isNotEmpty().allMatch(EngineSaturatedException.class::isInstance);
			assertThat(onReader).isNotEmpty().containsOnly(true);
		}
	}

	@Test
	void readBoundedByStalenessRunsOnThePrimaryWhileTheReaderLagsPastTheBound() throws SQLException {
		AsyncJdbcTemplate template = template(reader(100));
		ReadReplica replica = readerOf(template);
		String count = "select count(*) from " + this.table + " where name = 'Natalie Hurley'";
		TestReplica.execute("select pg_wal_replay_pause()");
		try {
			Futures.result(template.update("insert into " + this.table + " (name) values (?)", "Natalie Hurley"));
			await().atMost(Futures.WAIT)
				.until(() -> Futures.result(replica.replayLag()),
						(lag) -> lag.isPresent() && lag.get().compareTo(Duration.ofSeconds(1)) > 0);
			assertThat(Futures.result(template.readOnly().queryForObject(count, Integer.class))).isZero();
			assertThat(Futures.result(template.readOnly(Duration.ofSeconds(1)).queryForObject(count, Integer.class)))
				.isOne();
			CompletableFuture<Integer> inTransaction = template.readOnly(Duration.ofSeconds(1))
				.inTransaction((tx) -> tx.queryForObject(count, Integer.class));
			assertThat(Futures.result(inTransaction)).isOne();
		}
		finally {
			TestReplica.execute("select pg_wal_replay_resume()");
		}
		await().atMost(Futures.WAIT)
			.until(() -> Futures.result(replica.replayLag()),
					(lag) -> lag.isPresent() && lag.get().compareTo(Duration.ofSeconds(1)) <= 0);
		await().atMost(Futures.WAIT)
			.until(() -> Futures.result(template.readOnly(Duration.ofSeconds(1))
				.queryForObject(count + " and pg_is_in_recovery()", Integer.class)), (rows) -> rows == 1);
	}

	@Test
	void replayLagIsZeroWhenTheReaderHasReplayedAllItReceived() throws SQLException {
		AsyncJdbcTemplate template = template(reader(100));
		TestReplica.awaitCaughtUp();
		Optional<Duration> lag = Futures.result(readerOf(template).replayLag());
		assertThat(lag).isPresent();
		assertThat(lag.get()).isLessThan(Duration.ofSeconds(5));
	}

	@ParameterizedTest(name = "fallback to the primary: {0}")
	@ValueSource(booleans = { true, false })
	void readerStoppedUnderLoadCompletesEveryFutureAsConfigured(boolean fallback) throws InterruptedException {
		TestReplica.assumeControllable();
		AsyncJdbcTemplate template = template(
				reader(10_000).fallbackToPrimary(fallback).recheckAfter(Duration.ofMillis(500)));
		Semaphore inFlight = new Semaphore(32);
		List<CompletableFuture<Boolean>> reads = new ArrayList<>();
		try {
			for (int i = 0; i < 1200; i++) {
				if (i == 300) {
					TestReplica.stop();
				}
				assertThat(inFlight.tryAcquire(Futures.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				CompletableFuture<Boolean> read = template.readOnly()
					.queryForObject("select pg_is_in_recovery() from pg_sleep(0.002)", Boolean.class);
				read.whenComplete((value, failure) -> inFlight.release());
				reads.add(read);
			}
			List<Boolean> sides = new ArrayList<>();
			List<Throwable> failures = new ArrayList<>();
			for (CompletableFuture<Boolean> read : reads) {
				Throwable failure = Futures.failure(read);
				if (failure != null) {
					failures.add(failure);
				}
				else {
					sides.add(read.getNow(null));
				}
			}
			assertThat(sides).contains(true);
			if (fallback) {
				assertThat(failures).isEmpty();
				assertThat(sides).contains(false);
			}
			else {
				assertThat(failures).isNotEmpty()
					.allSatisfy(
							(failure) -> assertThat(ReadRoute.isUnavailable(failure)).as(failure.toString()).isTrue());
				assertThat(sides).containsOnly(true);
			}
		}
		finally {
			TestReplica.start();
		}
		// The reader serves again once it is back.
		await().atMost(Futures.WAIT)
			.ignoreExceptions()
			.until(() -> Futures
				.result(template.readOnly().queryForObject("select pg_is_in_recovery()", Boolean.class)));
	}

	private static ReadReplica readerOf(AsyncJdbcTemplate template) {
		return template.readOnly().getReadReplica();
	}

}
