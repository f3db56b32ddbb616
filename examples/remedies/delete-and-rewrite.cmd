@echo off
rem Deletes ImagePath and writes back the part up to the first ".exe".  It
rem loses no text the service needs, but writes REG_SZ: a REG_EXPAND_SZ
rem value changes type.
set KEY=HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS
set VALUE=
for /f "tokens=1,2,*" %%a in ('reg query "%KEY%" /v ImagePath') do (
    if /i "%%a"=="ImagePath" set VALUE=%%c
)
if not defined VALUE exit /b 0
set REST=%VALUE:*.exe=%
set EXE=%VALUE%
if not "%REST%"=="" call set EXE=%%VALUE:%REST%=%%
reg delete "%KEY%" /v ImagePath /f >nul
reg add "%KEY%" /v ImagePath /t REG_SZ /d "%EXE%" /f >nul
