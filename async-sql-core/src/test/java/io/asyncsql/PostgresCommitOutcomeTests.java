package io.asyncsql;

/**
 * {@link CommitOutcomeTests} on {@link TestDatabase#POSTGRESQL}.
 */
class PostgresCommitOutcomeTests extends CommitOutcomeTests {

	PostgresCommitOutcomeTests() {
		super(TestDatabase.POSTGRESQL);
	}

}
