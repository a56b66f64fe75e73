package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Bad input gets a precise error and the engine keeps serving.
 */
class BadInputTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource pool = H2.pool(2);

	private final AsyncEngine engine = AsyncEngine.builder(this.pool).build();

	private final AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);

	@AfterEach
	void close() {
		assertThat(this.template.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT).isEqualTo(1);
		this.engine.close();
		this.pool.close();
	}

	@Test
	void nullOrEmptySqlIsRefusedAtOnce() {
		for (String sql : new String[] { null, "", "   " }) {
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.update(sql))
				.withMessage("'sql' must not be null or empty");
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.query(sql, (rs, row) -> 1));
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.queryForObject(sql, Integer.class));
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.queryForList(sql));
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.execute(sql));
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.batchUpdate(sql, List.of()));
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.updateAndReturnKey(sql));
		}
		assertThat(this.engine.stats().completed() + this.engine.stats().rejected()).isZero();
	}

	@Test
	void wrongNumberOfArgumentsIsRefusedAtOnce() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.update("insert into t (a, b) values (?, ?)", 1))
			.withMessage(
					"SQL has 2 '?' placeholder(s) but 1 argument(s) were given: insert into t (a, b) values (?, ?)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.queryForObject("select 1", Integer.class, "extra"))
			.withMessageStartingWith("SQL has 0 '?' placeholder(s) but 1 argument(s)");
		List<Object[]> batch = new ArrayList<>();
		batch.add(new Object[] { 1 });
		batch.add(new Object[] { 1, 2 });
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.batchUpdate("insert into t values (?)", batch))
			.withMessageStartingWith("SQL has 1 '?' placeholder(s) but 2 argument(s)");
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.query("select ?", null, 1))
			.withMessage("'rowMapper' must not be null");
	}

	@Test
	void badSqlFailsTheFutureWithBadSqlGrammarException() {
		assertThat(this.template.update("update no_such_table set x = 1")).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(BadSqlGrammarException.class);
		assertThat(this.template.queryForList("selec 1")).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(BadSqlGrammarException.class);
		assertThat(this.engine.execute((con) -> con.createStatement().executeQuery("select from"))).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(BadSqlGrammarException.class);
		assertThat(this.engine.stats().failed()).isEqualTo(3);
	}

	@Test
	void exceptionOfACallbackArrivesUnchanged() {
		IllegalStateException boom = new IllegalStateException("boom");
		assertThat(this.engine.execute((con) -> {
			throw boom;
		})).failsWithin(WAIT).withThrowableThat().havingCause().isSameAs(boom);
	}

	@Test
	void argumentsAreBoundNeverConcatenated() {
		new JdbcTemplate(this.pool).execute("create table notes (body varchar(200))");
		String attack = "x'); drop table notes; --";
		assertThat(this.template.update("insert into notes values (?)", attack)).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(this.template.queryForObject("select body from notes", String.class)).succeedsWithin(WAIT)
			.isEqualTo(attack);
		assertThat(this.template.hasTable("notes")).succeedsWithin(WAIT).isEqualTo(true);
	}

	@Test
	void nullArgumentsAreBoundAsSqlNull() {
		new JdbcTemplate(this.pool).execute("create table maybe (v varchar(10))");
		assertThat(this.template.update("insert into maybe values (?)", (Object) null)).succeedsWithin(WAIT)
			.isEqualTo(1);
		assertThat(this.template.queryForObject("select count(*) from maybe where v is null", Integer.class))
			.succeedsWithin(WAIT)
			.isEqualTo(1);
	}

	@Test
	void nullCallbacksAreRefusedAtOnce() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.engine.execute(null))
			.withMessage("'callback' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.inTransaction(null))
			.withMessage("'work' must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.withTimeout(Duration.ZERO))
			.withMessage("'timeout' must be positive, but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.hasTable(""));
	}

	@Test
	void inTransactionWorkReturningNullFailsAndRollsBack() {
		assertThat(this.template.inTransaction((tx) -> null)).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("returned null");
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

}
