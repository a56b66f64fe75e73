package io.asyncsql.test.autoconfigure;

import io.asyncsql.AsyncJdbcClient;

import org.springframework.stereotype.Service;

/**
 * An application component: a slice test must not see it unless it asks for it.
 */
@Service
class AccountService {

	final AsyncJdbcClient client;

	AccountService(AsyncJdbcClient client) {
		this.client = client;
	}

}
