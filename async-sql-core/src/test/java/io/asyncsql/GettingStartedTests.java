package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The getting-started flow of sqlalchemy_aio, through the async API on H2.
 */
class GettingStartedTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource dataSource = TestDatabase.H2.pool("getting-started", 4);

	private final AsyncEngine engine = AsyncEngine.builder(this.dataSource).build();

	private final AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);

	@AfterEach
	void close() {
		this.engine.close();
		this.dataSource.close();
	}

	@Test
	void createInsertSelectTransactionAndDrop() {
		CompletableFuture<List<String>> names = this.template
			.execute("create table users (id int auto_increment primary key, name varchar(100) not null)")
			.thenCompose((created) -> this.engine.connect())
			.thenCompose((connection) -> connection
				.batchUpdate("insert into users (name) values (?)",
						List.of(new Object[] { "Jeremy Goodwin" }, new Object[] { "Natalie Hurley" },
								new Object[] { "Dan Rydell" }, new Object[] { "Casey McCall" },
								new Object[] { "Dana Whitaker" }))
				.thenCompose((inserted) -> connection.query("select name from users where name like ? order by id",
						(rs, row) -> rs.getString("name"), "%D%"))
				.whenComplete((result, failure) -> connection.close()));
		assertThat(names).succeedsWithin(WAIT).isEqualTo(List.of("Dan Rydell", "Dana Whitaker"));

		CompletableFuture<Integer> one = this.template
			.inTransaction((tx) -> tx.queryForObject("select 1", Integer.class));
		assertThat(one).succeedsWithin(WAIT).isEqualTo(1);

		assertThat(this.template.hasTable("users")).succeedsWithin(WAIT).isEqualTo(true);
		assertThat(this.template.execute("drop table users")).succeedsWithin(WAIT);
		assertThat(this.template.hasTable("users")).succeedsWithin(WAIT).isEqualTo(false);
		assertThat(this.dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void operationsOfTheTemplateReturnWhatJdbcTemplateReturns() {
		assertThat(
				this.template.execute("create table items (id bigint auto_increment primary key, label varchar(20))"))
			.succeedsWithin(WAIT);
		assertThat(this.template.updateAndReturnKey("insert into items (label) values (?)", "a")).succeedsWithin(WAIT)
			.isEqualTo(1L);
		assertThat(this.template.update("insert into items (label) values (?)", "b")).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(this.template.queryForObject("select label from items where id = ?", String.class, 2))
			.succeedsWithin(WAIT)
			.isEqualTo("b");
		assertThat(this.template.queryForObject("select id, label from items where id = ?",
				(rs, row) -> rs.getLong(1) + ":" + rs.getString(2), 1))
			.succeedsWithin(WAIT)
			.isEqualTo("1:a");
		assertThat(this.template.queryForList("select label from items order by id")
			.thenApply((rows) -> rows.stream().map((row) -> row.get("LABEL")).toList())).succeedsWithin(WAIT)
			.isEqualTo(List.of("a", "b"));
		assertThat(this.template.tableNames()).succeedsWithin(WAIT).isEqualTo(List.of("ITEMS"));
		assertThat(this.template.execute((connection) -> connection.getMetaData().getDatabaseProductName()))
			.succeedsWithin(WAIT)
			.isEqualTo("H2");
	}

}
