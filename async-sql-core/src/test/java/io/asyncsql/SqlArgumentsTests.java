package io.asyncsql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counting JDBC placeholders the way drivers read them.
 */
class SqlArgumentsTests {

	@Test
	void countsPlaceholders() {
		assertThat(SqlArguments.countPlaceholders("select 1")).isZero();
		assertThat(SqlArguments.countPlaceholders("insert into t values (?, ?, ?)")).isEqualTo(3);
	}

	@Test
	void ignoresQuestionMarksInLiteralsIdentifiersAndComments() {
		assertThat(SqlArguments.countPlaceholders("select '?', \"a?\", `b?` from t where x = ?")).isEqualTo(1);
		assertThat(SqlArguments.countPlaceholders("select 'it''s ?' from t where x = ?")).isEqualTo(1);
		assertThat(SqlArguments.countPlaceholders("select 1 -- why?\nfrom t where x = ?")).isEqualTo(1);
		assertThat(SqlArguments.countPlaceholders("select /* who? */ x from t where y = ?")).isEqualTo(1);
		assertThat(SqlArguments.countPlaceholders("select $$a?b$$, $tag$?$tag$ where x = ?")).isEqualTo(1);
	}

	@Test
	void doubleQuestionMarkIsAnEscapedOperator() {
		assertThat(SqlArguments.countPlaceholders("select '{\"a\":1}'::jsonb ?? 'a' where x = ?")).isEqualTo(1);
	}

	@Test
	void unreadableSqlIsNotCounted() {
		assertThat(SqlArguments.countPlaceholders("select 'C:\\' where x = ?")).isNegative();
		assertThat(SqlArguments.countPlaceholders("select 'unterminated ?")).isNegative();
	}

}
