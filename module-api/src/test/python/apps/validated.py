"""testapp's application behind wsgiref.validate's validator: the loader's environ, its
start_response, write and wsgi.input, and the way it iterates and closes the response are
checked against PEP 3333. A violation raises AssertionError in the app (a 500, or a response
cut short) or, for a response iterable never closed, prints to stderr; test_wsgi_loader.py
fails a test on either."""

from wsgiref.validate import validator

import testapp

application = validator(testapp.application)

