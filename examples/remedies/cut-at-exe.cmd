@echo off
rem The KB fix done right from a script: read ImagePath and its type with
rem reg query, keep everything up to and including the first ".exe", and
rem write it back with reg add under the same type (REG_EXPAND_SZ stays
rem REG_EXPAND_SZ).  For unquoted values; a quoted path would keep its
rem opening quote.
set KEY=HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS
set TYPE=
set VALUE=
for /f "tokens=1,2,*" %%a in ('reg query "%KEY%" /v ImagePath') do (
    if /i "%%a"=="ImagePath" (
        set TYPE=%%b
        set VALUE=%%c
    )
)
if not defined VALUE exit /b 0
set REST=%VALUE:*.exe=%
if "%REST%"=="%VALUE%" exit /b 0
if "%REST%"=="" exit /b 0
call set EXE=%%VALUE:%REST%=%%
reg add "%KEY%" /v ImagePath /t %TYPE% /d "%EXE%" /f >nul
