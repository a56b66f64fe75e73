package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leak detector of {@link AsyncEngineBuilder#leakDetectionThreshold}: connections,
 * transactions and streams held past the threshold are logged with their opener's stack
 * and counted; released ones are not.
 */
class AsyncEngineLeakDetectionTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Duration THRESHOLD = Duration.ofMillis(200);

	/** Three times the threshold: a timer that was going to fire has fired by then. */
	private static final Duration WELL_PAST_THRESHOLD = Duration.ofMillis(600);

	private static final String REPORT = "has held its connection for";

	private static final String RETURNED = "reported as a possible leak";

	private final HikariDataSource pool = TestDatabase.H2.pool("leaks", 4,
			(config) -> config.setJdbcUrl(config.getJdbcUrl() + ";LAZY_QUERY_EXECUTION=TRUE"));

	private final CapturedLog log = new CapturedLog();

	private @Nullable AsyncEngine engine;

	@AfterEach
	void close() {
		try {
			if (this.engine != null) {
				this.engine.close();
			}
			this.pool.close();
		}
		finally {
			this.log.close();
		}
	}

	private AsyncEngine start(AsyncEngineBuilder builder) {
		this.engine = builder.build();
		return this.engine;
	}

	@Test
	void connectionHeldPastThresholdIsReportedOnceWithItsOpenersStack() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).name("leaky").leakDetectionThreshold(THRESHOLD));
		AsyncConnection connection = Futures.result(engine.connect());
		await().atMost(WAIT).until(() -> engine.stats().leaks() == 1);
		assertThat(this.log.toString())
			.contains("async-sql engine 'leaky': an AsyncConnection has held its connection for ")
			.contains("longer than async-sql.leak-detection-threshold (200 ms)")
			.contains("opened on thread '" + Thread.currentThread().getName() + "' at:")
			// The stack starts where the test called, not inside async-sql.
			.containsPattern("java.lang.Exception: async-sql connection opened here\\R\\s+at "
					+ "io.asyncsql.AsyncEngineLeakDetectionTests.connectionHeldPastThresholdIsReportedOnceWithItsOpenersStack");
		await().during(WELL_PAST_THRESHOLD).atMost(WAIT).until(() -> engine.stats().leaks() == 1);
		assertThat(occurrences(REPORT)).isOne();
		assertThat(this.log.toString()).doesNotContain(RETURNED);
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(this.log.toString()).containsPattern(
				"async-sql engine 'leaky': the AsyncConnection reported as a possible leak \\(opened on thread '.+'\\) "
						+ "released its connection after \\d+(\\.\\d)? m?s");
		assertThat(engine.stats().leaks()).isOne();
	}

	@Test
	void connectionClosedBeforeThresholdIsNeverReported() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).leakDetectionThreshold(THRESHOLD));
		AsyncConnection connection = Futures.result(engine.connect());
		assertThat(connection.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT);
		assertThat(connection.close()).succeedsWithin(WAIT);
		await().during(WELL_PAST_THRESHOLD).atMost(WAIT).until(() -> engine.stats().leaks() == 0);
		assertThat(this.log.toString()).doesNotContain(REPORT).doesNotContain(RETURNED);
	}

	@Test
	void transactionWhoseWorkNeverCompletesIsReportedAsATransaction() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).leakDetectionThreshold(THRESHOLD));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		CompletableFuture<Integer> work = new CompletableFuture<>();
		CompletableFuture<Integer> transaction = template.inTransaction((tx) -> work);
		await().atMost(WAIT).until(() -> engine.stats().leaks() == 1);
		assertThat(this.log.toString()).contains("a transaction has held its connection")
			.contains("java.lang.Exception: async-sql transaction opened here")
			.contains(
					"at io.asyncsql.AsyncEngineLeakDetectionTests.transactionWhoseWorkNeverCompletesIsReportedAsATransaction");
		work.complete(1);
		assertThat(transaction).succeedsWithin(WAIT);
		assertThat(this.log.toString()).contains("the transaction reported as a possible leak");
	}

	@Test
	void streamWhoseSubscriberStopsRequestingIsReportedAsAStream() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).leakDetectionThreshold(THRESHOLD));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		Flux<Long> rows = JdkFlowAdapter
			.flowPublisherToFlux(template.stream("select x from system_range(1, 1000)", (rs, row) -> rs.getLong(1)));
		StepVerifier.create(rows, 1)
			.expectNext(1L)
			.then(() -> await().atMost(WAIT).until(() -> engine.stats().leaks() == 1))
			.thenCancel()
			.verify(WAIT);
		assertThat(this.log.toString()).contains("a stream has held its connection")
			.contains("java.lang.Exception: async-sql stream opened here")
			.contains(
					"at io.asyncsql.AsyncEngineLeakDetectionTests.streamWhoseSubscriberStopsRequestingIsReportedAsAStream");
		await().atMost(WAIT).until(() -> engine.stats().active() == 0);
		assertThat(this.log.toString()).contains("the stream reported as a possible leak");
	}

	@Test
	void withoutThresholdNothingIsCapturedNorCounted() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool));
		assertThat(engine.leaks.opener(OperationKind.CONNECTION)).isNull();
		AsyncConnection connection = Futures.result(engine.connect());
		assertThat(((DefaultAsyncConnection) connection).leakWatch).isNull();
		await().during(WELL_PAST_THRESHOLD).atMost(WAIT).until(() -> engine.stats().leaks() == 0);
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(this.log.toString()).doesNotContain(REPORT);
	}

	@Test
	void zeroThresholdTurnsDetectionOff() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).leakDetectionThreshold(Duration.ZERO));
		AsyncConnection connection = Futures.result(engine.connect());
		assertThat(((DefaultAsyncConnection) connection).leakWatch).isNull();
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(engine.stats().leaks()).isZero();
	}

	private int occurrences(String text) {
		Matcher matcher = Pattern.compile(Pattern.quote(text)).matcher(this.log.toString());
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

}
