package io.asyncsql;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which updates count as a plain single-row insert, whose count a batch that a driver
 * rewrote (reporting {@code SUCCESS_NO_INFO}) still knows.
 */
class CoalescibleUpdateTests {

	@ParameterizedTest
	@ValueSource(strings = { "insert into t (a, b) values (?, ?)", "INSERT INTO s.t VALUES (?, now())",
			"  insert into t(a) values(?);", "insert into t (a, b) values (?, coalesce(?, 'x'))" })
	void plainSingleRowInsertsCountOneRowEach(String sql) {
		assertThat(update(sql).insertsOneRow()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "insert into t (a) values (?) on conflict do nothing", "insert ignore into t values (?)",
			"insert into t (a) values (?), (?)", "insert into t (a) select ? from u",
			"insert into t (a) values (?) returning a", "update t set a = ?", "insert into t default values" })
	void otherUpdatesDoNot(String sql) {
		assertThat(update(sql).insertsOneRow()).isFalse();
	}

	private static CoalescibleUpdate update(String sql) {
		return CoalescibleUpdate.of(new JdbcTemplate(), sql, new ArgumentPreparedStatementSetter(null));
	}

}
