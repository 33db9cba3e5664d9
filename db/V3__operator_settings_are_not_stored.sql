-- Commands and paths the console runs or writes are operator configuration (command line or
-- environment), never data: drop any that an earlier console stored through its API.

DELETE FROM settings
 WHERE key IN ('nginx.mode', 'nginx.system_path', 'nginx.test_command', 'nginx.reload_command', 'cache.roots');
