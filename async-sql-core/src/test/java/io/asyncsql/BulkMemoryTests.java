package io.asyncsql;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million rows, made by the publisher as they are requested, go into the database
 * through a heap far smaller than they are: the sink keeps no more than its batches. The
 * pom runs this class alone in a JVM with {@code -Xmx64m}.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
class BulkMemoryTests {

	private static final int ROWS = 1_000_000;

	private static final int WIDTH = 100;

	private static final String PADDING = "x".repeat(WIDTH - 10);

	@Parameter
	TestDatabase database;

	@Test
	void millionRowsGoThroughASmallHeap() {
		this.database.assumeAvailable();
		// Each row is at least WIDTH characters of text: more than the heap if kept.
		assertThat(Runtime.getRuntime().maxMemory()).as("heap limit set by the pom: less than the rows")
			.isLessThan((long) ROWS * WIDTH);
		String table = TestDatabase.uniqueTableName("bulk_memory");
		try (HikariDataSource pool = this.database.pool("bulk-memory", 2);
				AsyncEngine engine = AsyncEngine.builder(pool).build()) {
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
			JdbcTemplate jdbc = template.getJdbcTemplate();
			jdbc.execute("create table " + table + " (id integer primary key, label varchar(" + WIDTH + "))");
			try {
				resetPeakHeap();
				long started = System.nanoTime();
				Flux<Object[]> rows = Flux.range(0, ROWS)
					.map((id) -> new Object[] { id, String.format("%010d", id) + PADDING });
				BulkLoad<Object[]> load = BulkLoad.into(table, List.of("id", "label"), (Object[] row) -> row);
				assertThat(template.bulkLoad(JdkFlowAdapter.publisherToFlowPublisher(rows), load))
					.succeedsWithin(Duration.ofMinutes(3))
					.isEqualTo((long) ROWS);
				long millis = (System.nanoTime() - started) / 1_000_000;
				System.out.printf("%s: %,d rows in %,d ms, peak heap %,d KiB of %,d KiB%n", this.database.displayName(),
						ROWS, millis, peakHeap() / 1024, Runtime.getRuntime().maxMemory() / 1024);
				assertThat(peakHeap()).as("peak heap use").isLessThan(Runtime.getRuntime().maxMemory() * 3 / 4);
				assertThat(jdbc.queryForObject("select count(*) from " + table, Long.class)).isEqualTo(ROWS);
				assertThat(jdbc.queryForObject("select max(label) from " + table, String.class))
					.isEqualTo(String.format("%010d", ROWS - 1) + PADDING);
				assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
				assertThat(engine.stats().active()).isZero();
			}
			finally {
				jdbc.execute("drop table " + table);
			}
		}
	}

	private static void resetPeakHeap() {
		System.gc();
		heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
	}

	/**
	 * Return the sum of the heap pools' peaks: above any moment's use, so an upper bound.
	 */
	private static long peakHeap() {
		return heapPools().stream().mapToLong((pool) -> pool.getPeakUsage().getUsed()).sum();
	}

	private static List<MemoryPoolMXBean> heapPools() {
		return ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getType() == MemoryType.HEAP)
			.toList();
	}

}
