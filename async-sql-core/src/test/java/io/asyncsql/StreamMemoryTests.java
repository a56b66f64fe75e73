package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import reactor.adapter.JdkFlowAdapter;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million rows stream through a heap far smaller than the materialised result. The pom
 * runs this class alone in a JVM with {@code -Xmx80m}.
 */
class StreamMemoryTests {

	private static final int ROWS = 1_000_000;

	private static final int WIDTH = 200;

	@Test
	void millionRowsOnH2StreamThroughASmallHeap() {
		stream(TestDatabase.H2, "select x, repeat('x', " + WIDTH + ") from system_range(1, " + ROWS + ")",
				";LAZY_QUERY_EXECUTION=TRUE");
	}

	@Test
	void millionRowsOnPostgresStreamThroughASmallHeap() {
		TestDatabase.POSTGRESQL.assumeAvailable();
		stream(TestDatabase.POSTGRESQL, "select g, repeat('x', " + WIDTH + ") from generate_series(1, " + ROWS + ") g",
				"");
	}

	private void stream(TestDatabase database, String sql, String urlSuffix) {
		// Each row would hold at least WIDTH bytes of text if the result were kept.
		assertThat(Runtime.getRuntime().maxMemory()).as("heap limit set by the pom: less than half the result")
			.isLessThan((long) ROWS * WIDTH / 2);
		try (HikariDataSource pool = database.pool("memory", 2,
				(config) -> config.setJdbcUrl(config.getJdbcUrl() + urlSuffix));
				AsyncEngine engine = AsyncEngine.builder(pool).build()) {
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
			AtomicLong characters = new AtomicLong();
			StepVerifier
				.create(JdkFlowAdapter.flowPublisherToFlux(template.stream(sql, (rs, row) -> rs.getString(2)))
					.doOnNext((text) -> characters.addAndGet(text.length()))
					.count())
				.expectNext((long) ROWS)
				.expectComplete()
				.verify(Duration.ofMinutes(2));
			assertThat(characters).hasValue((long) ROWS * WIDTH);
			assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		}
	}

}
